package dev.polymux.registry.marketplace;

import java.util.Locale;

/** HQL pieces both marketplace tabs (connectors, plugins) list with. */
public final class ListingQueries {

    private ListingQueries() {
    }

    /**
     * "No newer version of the same id exists" for {@code alias}, an entity extending {@link PublishedVersion};
     * {@code extraCondition} (HQL on {@code newer}, may be empty) limits which versions count as newer.
     */
    public static String noNewerVersion(String entity, String alias, String idField, String extraCondition) {
        return "not exists (from " + entity + " newer where newer." + idField + " = " + alias + "." + idField + extraCondition
                + " and (newer.versionMajor > " + alias + ".versionMajor or (newer.versionMajor = " + alias + ".versionMajor"
                + " and (newer.versionMinor > " + alias + ".versionMinor or (newer.versionMinor = " + alias + ".versionMinor"
                + " and newer.versionPatch > " + alias + ".versionPatch)))))";
    }

    /** A case-insensitive LIKE pattern matching {@code text} anywhere, with LIKE's wildcards in it taken literally. */
    public static String containsPattern(String text) {
        return "%" + text.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
