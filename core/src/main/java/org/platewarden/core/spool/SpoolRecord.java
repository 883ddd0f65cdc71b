package org.platewarden.core.spool;

/** One durable record of the spool: its sequence number and the read document bytes. */
public record SpoolRecord(long seq, byte[] json) {
}
