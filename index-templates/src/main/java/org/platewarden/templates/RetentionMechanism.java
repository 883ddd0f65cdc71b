package org.platewarden.templates;

/** Who deletes expired daily read indices on this cluster. */
public enum RetentionMechanism {
    /** the cluster has index lifecycle management: the policy deletes them */
    ILM,
    /** no ILM (e.g. the embedded distribution): Platewarden's retention sweeper deletes them */
    SWEEPER;

    public String wireName() {
        return this == ILM ? "ilm" : "sweeper";
    }
}
