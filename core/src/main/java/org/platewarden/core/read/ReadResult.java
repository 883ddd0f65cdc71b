package org.platewarden.core.read;

/** What {@link ReadValidator} makes of one incoming read: a document to store, or a rejection. */
public sealed interface ReadResult permits StoredRead, Rejection {
}
