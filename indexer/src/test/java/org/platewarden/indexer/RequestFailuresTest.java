package org.platewarden.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * How whole-request failures of the real client are read: status, cause label, and whether the
 * request was refused for its content (split and dead-letter) or is to be retried as it is.
 */
class RequestFailuresTest {

    @Test
    void a400WithElasticsearchsErrorIsAContentRefusalWithTypeAndReason() {
        Throwable failure = ClientFailures.parseError();
        assertEquals(400, RequestFailures.status(failure));
        assertEquals("request_http_400", RequestFailures.cause(failure));
        assertTrue(RequestFailures.refusesContent(failure));
        BulkItemResult alone = RequestFailures.asAnswerForLoneRead(failure);
        assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(alone));
        assertEquals("elasticsearch_refused: elasticsearch refused the bulk request containing only this read (400 x_content_parse_exception): "
                + "[1:52] Unexpected end-of-input in VALUE_STRING", alone.refusal());
    }

    @Test
    void a413WithoutBodyIsAContentRefusal() {
        Throwable failure = ClientFailures.answeredWith(413, null);
        assertEquals(413, RequestFailures.status(failure), failure.toString());
        assertEquals("request_http_413", RequestFailures.cause(failure));
        assertTrue(RequestFailures.refusesContent(failure));
        BulkItemResult alone = RequestFailures.asAnswerForLoneRead(failure);
        assertNull(alone.errorType());
        assertEquals(ItemVerdict.DEAD_LETTER, ItemVerdict.of(alone));
        assertTrue(alone.refusal().startsWith("elasticsearch_refused: elasticsearch refused the bulk request containing only this read (413): "), alone.refusal());
        assertTrue(alone.refusal().contains("413"), alone.refusal());
    }

    @Test
    void retryableStatusesAndCredentialErrorsAreNotContentRefusals() {
        Throwable unavailable = ClientFailures.answeredWith(503, null);
        assertEquals("request_http_503", RequestFailures.cause(unavailable), unavailable.toString());
        assertFalse(RequestFailures.refusesContent(unavailable));
        Throwable busy = ClientFailures.answeredWith(429, "{\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"busy\"},\"status\":429}");
        assertEquals(429, RequestFailures.status(busy));
        assertFalse(RequestFailures.refusesContent(busy));
        Throwable unauthorized = ClientFailures.answeredWith(401,
                "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate user\"},\"status\":401}");
        assertEquals(401, RequestFailures.status(unauthorized));
        assertFalse(RequestFailures.refusesContent(unauthorized), "a credential problem would refuse every read alike");
    }

    @Test
    void noAnswerHasNoStatus() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Throwable refused = ClientFailures.failureOfOneBulk("http://127.0.0.1:" + port);
        assertEquals(0, RequestFailures.status(refused));
        assertEquals("request_connection", RequestFailures.cause(refused));
        assertFalse(RequestFailures.refusesContent(refused));
    }
}
