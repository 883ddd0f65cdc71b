package org.platewarden.search.api;

/**
 * A change Elasticsearch left undecided, with what the backend knows of it (the message: e.g. that a
 * hold may exist and its copies are kept); the cause is Elasticsearch's failure (a timeout, a
 * connection broken after sending). The answer and the change's failure record add the message to
 * what they say ({@link ElasticsearchFailure}).
 */
public class MayHaveBeenMadeException extends RuntimeException {
    public MayHaveBeenMadeException(String whatIsKnown, Throwable elasticsearchFailure) {
        super(whatIsKnown, elasticsearchFailure);
    }
}
