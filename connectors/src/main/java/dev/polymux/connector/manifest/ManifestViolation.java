package dev.polymux.connector.manifest;

/**
 * One thing wrong with a manifest: where (a JSON pointer into the manifest, RFC 6901) and what, in words.
 * Messages name properties and rules, never the values found there (a manifest may be pasted with secrets in it).
 */
public record ManifestViolation(String pointer, String message) {

    @Override
    public String toString() {
        return pointer + ": " + message;
    }
}
