package org.platewarden.core.net;

/**
 * What was thrown while a request's answer was built or written, after the work it answers was done
 * (a search recorded, reads fsynced, a change made): the server's own fault, a 500 whatever was
 * thrown (an {@link IllegalArgumentException} from a serialiser is no 400). {@link #answer} is the
 * value that was being written, so the failure handler can say in the audit trail what the caller
 * did not get.
 */
public final class AnswerNotWrittenException extends RuntimeException {
    private final transient Object answer;

    public AnswerNotWrittenException(Throwable thrown, Object answer) {
        super("the answer could not be written: " + thrown, thrown);
        this.answer = answer;
    }

    /** The value the writer was given (a search's response, a report's page …), or null. */
    public Object answer() {
        return answer;
    }
}
