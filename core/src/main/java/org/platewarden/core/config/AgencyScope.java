package org.platewarden.core.config;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Whose reads an agency may see: its own, plus those of every agency that granted it sharing
 * ({@code shares_with} on the owner). Default deny: an unknown agency sees nothing, and a federal
 * agency sees nothing whatever grants name it.
 */
public final class AgencyScope {
    private final PlatewardenConfig config;

    public AgencyScope(PlatewardenConfig config) {
        this.config = config;
    }

    public Set<String> visibleAgencies(String agencyId) {
        Agency agency = config.agency(agencyId).orElse(null);
        if (agency == null || agency.federal()) return Set.of();
        Set<String> visible = new LinkedHashSet<>();
        visible.add(agency.id());
        for (Agency owner : config.agencies()) {
            if (owner.sharesWith().contains(agency.id())) visible.add(owner.id());
        }
        return Set.copyOf(visible);
    }
}
