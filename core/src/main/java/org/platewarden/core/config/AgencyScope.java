package org.platewarden.core.config;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Whose reads an agency may see: its own, plus those of every agency that granted it sharing
 * ({@code shares_with} on the owner). Default deny: an unknown agency sees nothing, and a federal
 * agency sees nothing whatever grants name it. Asked of the agencies in force at each call, so a
 * reload's grants apply to the next search ({@link LiveCredentials}).
 */
public final class AgencyScope {
    private final LiveCredentials credentials;

    public AgencyScope(PlatewardenConfig config) {
        this(LiveCredentials.of(config));
    }

    public AgencyScope(LiveCredentials credentials) {
        this.credentials = credentials;
    }

    public Set<String> visibleAgencies(String agencyId) {
        Credentials now = credentials.current();
        Agency agency = now.agency(agencyId).orElse(null);
        if (agency == null || agency.federal()) return Set.of();
        Set<String> visible = new LinkedHashSet<>();
        visible.add(agency.id());
        for (Agency owner : now.agencies()) {
            if (owner.sharesWith().contains(agency.id())) visible.add(owner.id());
        }
        return Set.copyOf(visible);
    }
}
