package dev.polymux.registry.listing;

import java.util.Arrays;
import java.util.List;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;

/**
 * What a listing publishes. The Publish tab's choice: a connection (a connector manifest, reviewed by a person after
 * the stricter checks) or a plugin (a plugin manifest, approved by a reviewer or by the operator's policy).
 */
public enum ListingType {
    CONNECTION("connector"), PLUGIN("plugin");

    private final String noun;

    ListingType(String noun) {
        this.noun = noun;
    }

    /** As the API spells it: {@code connection} or {@code plugin}. */
    public String value() {
        return name().toLowerCase();
    }

    /** The word review's sentences use ("You cannot review a connector you authored"), as they always have. */
    public String noun() {
        return noun;
    }

    /** The type a request names, or 400 naming the ones there are. */
    public static ListingType of(String value, String pointer) {
        return Arrays.stream(values()).filter(t -> t.value().equals(value)).findFirst()
                .orElseThrow(() -> ProblemException.invalid("A listing is a connection or a plugin.",
                        List.of(new Problem.InvalidParam(pointer, "must be 'connection' or 'plugin'"))));
    }
}
