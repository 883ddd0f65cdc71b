package org.platewarden.core.tls;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log when a certificate a listener serves is about to expire or has: a WARN when it
 * expires within {@link #WARN_WITHIN} (at start, then at most once a day per listener while it
 * does), and one ERROR once it has expired (clients refuse it from then on). Checked at start and
 * every hour, from what is in memory (the served pairs' notAfter): no file is read, so the check may
 * run on an event loop. A renewed certificate swapped in by a reload ends the warnings.
 */
public final class CertificateExpiryWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateExpiryWatch.class);
    public static final Duration WARN_WITHIN = Duration.ofDays(14);
    private static final Duration WARN_EVERY = Duration.ofDays(1);
    private static final long CHECK_EVERY_MS = Duration.ofHours(1).toMillis();

    private final LiveTls tls;
    private final Clock clock;
    /** per listener: when it was last warned about, and for which notAfter */
    private final Map<String, Instant> warnedAt = new HashMap<>();
    private final Map<String, Instant> warnedFor = new HashMap<>();
    /** per listener: the notAfter of the expired certificate its ERROR was logged for */
    private final Map<String, Instant> expiredLogged = new HashMap<>();
    private Vertx vertx;
    private long timer = -1;

    public CertificateExpiryWatch(LiveTls tls, Clock clock) {
        this.tls = tls;
        this.clock = clock;
    }

    /** Checks now, then every hour on {@code vertx}'s timer. */
    public CertificateExpiryWatch start(Vertx vertx) {
        check();
        if (!tls.expiries().isEmpty()) {
            this.vertx = vertx;
            timer = vertx.setPeriodic(CHECK_EVERY_MS, id -> check());
        }
        return this;
    }

    /** Logs what is due now; returns the lines logged (tests). */
    public synchronized List<String> check() {
        Instant now = clock.instant();
        List<String> logged = new ArrayList<>();
        tls.expiries().forEach((listener, notAfter) -> {
            if (!notAfter.isAfter(now)) {
                if (notAfter.equals(expiredLogged.get(listener))) return;
                expiredLogged.put(listener, notAfter);
                String line = "the TLS certificate served by " + listener + " expired on " + notAfter
                        + ": clients refuse it; renew it and reload the configuration (kill -HUP, or ./platewarden ops config-reload)";
                LOG.error(line);
                logged.add(line);
            } else if (notAfter.isBefore(now.plus(WARN_WITHIN))) {
                Instant last = warnedAt.get(listener);
                if (notAfter.equals(warnedFor.get(listener)) && last != null && now.isBefore(last.plus(WARN_EVERY))) return;
                warnedAt.put(listener, now);
                warnedFor.put(listener, notAfter);
                String line = "the TLS certificate served by " + listener + " expires on " + notAfter + ", in "
                        + Duration.between(now, notAfter).toHours() + " h: renew it and reload the configuration (kill -HUP, or ./platewarden ops config-reload)";
                LOG.warn(line);
                logged.add(line);
            }
        });
        return logged;
    }

    @Override
    public void close() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
