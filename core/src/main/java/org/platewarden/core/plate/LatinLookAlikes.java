package org.platewarden.core.plate;

/**
 * The Cyrillic and Greek capital letters that are drawn like a Latin one, read as that Latin
 * letter. Russian, Ukrainian, Serbian, Kazakh... plates use exactly the Cyrillic letters with a
 * Latin twin (А123ВС77), Greek plates the Greek ones (ΙΚΖ-1234), and a camera may emit them in
 * their own script: stored as they are, {@code А123ВС77} would never match a search for the
 * {@code A123BC77} a witness types. Only letters whose look is unambiguous are listed: the Cyrillic
 * У reads as Y (its shape), not U (its sound), and a letter with no Latin twin (Ж, Д, Π, Σ) is
 * not read as anything.
 */
public final class LatinLookAlikes {
    private LatinLookAlikes() {
    }

    /** The Latin capital that {@code codePoint}, an upper-case letter, is drawn like, or 0 if none. */
    public static char latin(int codePoint) {
        return switch (codePoint) {
            // Cyrillic А В Е К М Н О Р С Т У Х
            case 0x0410 -> 'A';
            case 0x0412 -> 'B';
            case 0x0415 -> 'E';
            case 0x041A -> 'K';
            case 0x041C -> 'M';
            case 0x041D -> 'H';
            case 0x041E -> 'O';
            case 0x0420 -> 'P';
            case 0x0421 -> 'C';
            case 0x0422 -> 'T';
            case 0x0423 -> 'Y';
            case 0x0425 -> 'X';
            // Cyrillic Ѕ І Ј (Ukrainian, Belarusian, Serbian, Macedonian), Ү Һ Ӏ (Kazakh, Mongolian,
            // Caucasian alphabets), Ԛ Ԝ (Kurdish)
            case 0x0405 -> 'S';
            case 0x0406 -> 'I';
            case 0x0408 -> 'J';
            case 0x04AE -> 'Y';
            case 0x04BA -> 'H';
            case 0x04C0 -> 'I';
            case 0x051A -> 'Q';
            case 0x051C -> 'W';
            // Greek Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ
            case 0x0391 -> 'A';
            case 0x0392 -> 'B';
            case 0x0395 -> 'E';
            case 0x0396 -> 'Z';
            case 0x0397 -> 'H';
            case 0x0399 -> 'I';
            case 0x039A -> 'K';
            case 0x039C -> 'M';
            case 0x039D -> 'N';
            case 0x039F -> 'O';
            case 0x03A1 -> 'P';
            case 0x03A4 -> 'T';
            case 0x03A5 -> 'Y';
            case 0x03A7 -> 'X';
            default -> 0;
        };
    }
}
