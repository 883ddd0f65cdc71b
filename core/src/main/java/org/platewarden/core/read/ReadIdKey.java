package org.platewarden.core.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.platewarden.core.config.PlatewardenConfig;
import org.platewarden.core.io.PrivateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key of the plate-free part of a derived read id: a read sent without {@code read_id} is stored
 * as {@code <camera_id>:<epoch ms>:<tag>}, the tag being the first 16 hex digits of
 * HMAC-SHA256(key, {@code <camera_id>:<epoch ms>:<plate_norm>}). Search audit records keep the ids
 * they returned forever, so an id must not hold the plate (the old form did); keyed, so nobody
 * without the key can confirm a guess ("was ABC123 at camera X at T?") against an id; over the whole
 * read, so two reads of one plate share no tag (no pseudonym to follow a vehicle by in the trail);
 * and stable for a resend of the same read, which the indexer de-duplicates by id.
 *
 * <p>The key is {@code gateway.read_id_key} when configured — every gateway behind one load balancer
 * must have the same, or a resend through another gateway is a second read — otherwise 32 random
 * bytes generated once into {@code <data_dir>/keys/read-id.key} (owner-only), enough for one node.
 * Changing the key makes a resend of a read stored before the change a second read; the key is not
 * meant to be rotated (losing it lets its holder confirm guesses against old ids, nothing more).
 */
public final class ReadIdKey {
    public static final String FILE = "read-id.key";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int TAG_HEX = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ReadIdKey.class);
    private final ThreadLocal<Mac> mac;

    private ReadIdKey(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key.clone(), ALGORITHM);
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance(ALGORITHM);
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 unavailable", e);
            }
        });
        mac.get(); // fail at start-up, not on the first read
    }

    public static ReadIdKey of(byte[] key) {
        if (key.length < 16) throw new IllegalArgumentException("a read id key needs at least 16 bytes");
        return new ReadIdKey(key);
    }

    /** A key of this process alone (tests, benchmarks): ids derived with it differ from any node's. */
    public static ReadIdKey random() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new ReadIdKey(key);
    }

    /** The configured {@code gateway.read_id_key}, else the data dir's key file (created on first use). Start-up only: file I/O. */
    public static ReadIdKey forNode(PlatewardenConfig config) {
        String configured = config.gateway().readIdKey();
        if (configured != null) return of(configured.getBytes(StandardCharsets.UTF_8));
        Path keys = config.dataPath().resolve("keys");
        boolean generated = Files.notExists(keys.resolve(FILE));
        ReadIdKey key = loadOrCreate(keys);
        if (generated) logGenerated(config.dataPath(), keys.resolve(FILE));
        return key;
    }

    /**
     * A key generated into a data directory that already holds an audit journal is a data directory
     * put together on a new machine from backups without its key (the journal is written by a
     * search node, which starts after the gateway): the ids of reads the lost node stored were
     * derived with another key, so a camera's resend of one of them would be stored as a second read.
     * Said at start-up, while the old key may still be put back; the first start of a node is INFO.
     */
    private static void logGenerated(Path dataDir, Path file) {
        boolean journalThere;
        try (var journals = Files.newDirectoryStream(dataDir.resolve("audit"), "audit-*.ndjson")) {
            journalThere = journals.iterator().hasNext();
        } catch (IOException e) {
            journalThere = false; // no audit directory: a new data directory
        }
        if (journalThere) {
            LOG.warn("generated a new read id key {}, though the data directory holds an audit journal (restored or moved from another"
                    + " machine?): if this node replaces one, stop it and put that node's keys/{} back (or set gateway.read_id_key),"
                    + " else a camera's resend of a read that node stored gets another id and is stored twice", file, FILE);
        } else {
            LOG.info("generated the read id key {} (derived read ids; back it up with the node, or set gateway.read_id_key)", file);
        }
    }

    /** The key in {@code dir/read-id.key}; 32 random bytes written there (hex) when there is none. */
    public static ReadIdKey loadOrCreate(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            PrivateDirectory.create(dir);
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                Path tmp = Files.createTempFile(dir, FILE, ".tmp");
                Files.writeString(tmp, HexFormat.of().formatHex(key) + "\n");
                try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                try {
                    // never replaces a key another process wrote meanwhile: ids derived with it are stored
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException raced) {
                    // theirs stands
                } catch (UnsupportedOperationException noLinks) {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.deleteIfExists(tmp);
            }
            String hex = Files.readString(file).strip();
            return of(HexFormat.of().parseHex(hex));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the read id key " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the read id key " + file + " is not 32 bytes in hex (delete it only if no read was derived with it)", e);
        }
    }

    /** {@code <camera_id>:<epoch ms>:<tag>}, the id of a read sent without one. */
    public String derive(String cameraId, long epochMillis, String plateNorm) {
        String prefix = cameraId + ":" + epochMillis + ":";
        byte[] h = mac.get().doFinal((prefix + plateNorm).getBytes(StandardCharsets.UTF_8));
        return prefix + HexFormat.of().formatHex(h).substring(0, TAG_HEX);
    }
}
