package org.platewarden.core.read;

/**
 * Field names of a read document as stored in the spool and indexed into
 * {@code <prefix>-reads-YYYY.MM.DD}. The mapping in index-templates must match these names.
 */
public final class ReadFields {
    public static final String READ_ID = "read_id";
    public static final String CAMERA_ID = "camera_id";
    public static final String AGENCY = "agency";
    public static final String CAPTURED_AT = "captured_at";
    public static final String RECEIVED_AT = "received_at";
    public static final String PLATE = "plate";
    /** upper-case A-Z0-9 only */
    public static final String PLATE_NORM = "plate_norm";
    /** OCR-folded plate_norm (see OcrFolding) */
    public static final String PLATE_OCR = "plate_ocr";
    /** 1-, 2- and 3-grams of "^" + plate_ocr + "$", computed in Java (the embedded ES has no ngram tokenizer) */
    public static final String PLATE_GRAMS = "plate_grams";
    /** deletion neighbourhood (0..2 deletions) of plate_ocr, for edit-distance candidate retrieval */
    public static final String PLATE_DELS = "plate_dels";
    /** number of characters of plate_norm (integer); lets a plate search bound the plate length */
    public static final String PLATE_LEN = "plate_len";
    public static final String PLATE_CONFIDENCE = "plate_confidence";
    public static final String REGION = "region";
    public static final String LOCATION = "location";
    public static final String HEADING_DEG = "heading_deg";
    public static final String LANE = "lane";
    public static final String VEHICLE = "vehicle";
    public static final String IMAGE_REF = "image_ref";
    /** how the read arrived: http, mqtt, openalpr, platerecognizer */
    public static final String SOURCE = "source";

    private ReadFields() {
    }
}
