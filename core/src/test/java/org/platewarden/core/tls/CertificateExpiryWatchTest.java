package org.platewarden.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.testkit.SelfSignedCertificate;

/**
 * The log's notice of a served certificate about to expire: a WARN within 14 days, at start and then
 * at most daily; one ERROR once it has expired; nothing for one far from its end. Driven by a clock the
 * test moves, not by waiting.
 */
class CertificateExpiryWatchTest {
    @TempDir
    Path dir;

    @Test
    void warnsAtStartThenAtMostDailyAndOnceExpiredLogsOneError() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 10);
        Instant notAfter = pair.certificate().getNotAfter().toInstant();
        LiveTls tls = LiveTls.load(searchTls(pair), false, true, Instant.now());
        MovableClock clock = new MovableClock(notAfter.minus(Duration.ofDays(10)));
        CertificateExpiryWatch watch = new CertificateExpiryWatch(tls, clock);

        List<String> atStart = watch.check();
        assertEquals(1, atStart.size(), atStart.toString());
        assertTrue(atStart.get(0).startsWith("the TLS certificate served by search expires on " + notAfter), atStart.get(0));
        clock.now = clock.now.plus(Duration.ofHours(23));
        assertEquals(List.of(), watch.check(), "not again within the day");
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertEquals(1, watch.check().size(), "again the next day");

        clock.now = notAfter.plusSeconds(1);
        List<String> expired = watch.check();
        assertEquals(1, expired.size(), expired.toString());
        assertTrue(expired.get(0).startsWith("the TLS certificate served by search expired on " + notAfter), expired.get(0));
        clock.now = clock.now.plus(Duration.ofDays(2));
        assertEquals(List.of(), watch.check(), "the ERROR is logged once");
    }

    @Test
    void aCertificateFarFromItsEndIsNotMentioned() throws Exception {
        SelfSignedCertificate pair = SelfSignedCertificate.create(dir, "search", "localhost", "DNS:localhost", 60);
        LiveTls tls = LiveTls.load(searchTls(pair), false, true, Instant.now());
        assertEquals(List.of(), new CertificateExpiryWatch(tls, Clock.systemUTC()).check());
    }

    static PlatewardenConfig searchTls(SelfSignedCertificate pair) {
        return PlatewardenConfig.demoConfig().with("{\"search\":{\"tls_cert_path\":\"" + pair.cert() + "\",\"tls_key_path\":\"" + pair.key() + "\"}}");
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
