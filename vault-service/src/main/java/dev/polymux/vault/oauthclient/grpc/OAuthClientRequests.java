package dev.polymux.vault.oauthclient.grpc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.polymux.proto.vault.v1.OAuthClientKey;
import dev.polymux.proto.vault.v1.PutOAuthClientRequest;
import dev.polymux.vault.oauthclient.ClientKey;
import io.grpc.Status;

/**
 * Checks of the OAuth client calls' input. A refusal is INVALID_ARGUMENT naming each field and rule, never a value
 * (a connector id field could hold a pasted secret as well as anything else).
 */
public final class OAuthClientRequests {

    /** As connector-manifest.schema.json#/properties/id. */
    static final Pattern CONNECTOR_ID = Pattern.compile("^[a-z][a-z0-9-]{1,62}$");
    /** Tenant ids appear in paths (/tenants/{tenant}/...) and in audit subjects: no slashes, spaces or controls. */
    static final Pattern TENANT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
    static final int MAX_CLIENT_ID = 512;
    static final int MAX_CLIENT_SECRET = 4096;
    static final int MAX_STORED_BY = 256;

    private OAuthClientRequests() {
    }

    /** The key, or INVALID_ARGUMENT. */
    public static ClientKey key(boolean present, OAuthClientKey key) {
        List<String> problems = new ArrayList<>();
        checkKey(present, key, problems);
        refuse(problems);
        return new ClientKey(key.getTenantId(), key.getConnectorId());
    }

    /** The key of a valid put, or INVALID_ARGUMENT listing everything wrong with it. */
    public static ClientKey put(PutOAuthClientRequest request) {
        List<String> problems = new ArrayList<>();
        checkKey(request.hasKey(), request.getKey(), problems);
        String clientId = request.getClientId();
        if (clientId.isEmpty()) {
            problems.add("client_id is required");
        } else if (clientId.length() > MAX_CLIENT_ID) {
            problems.add("client_id is longer than " + MAX_CLIENT_ID + " characters");
        } else if (!printableAscii(clientId)) {
            problems.add("client_id must be printable ASCII (RFC 6749 VSCHAR); a line break from pasting it?");
        }
        String clientSecret = request.getClientSecret();
        if (clientSecret.length() > MAX_CLIENT_SECRET) {
            problems.add("client_secret is longer than " + MAX_CLIENT_SECRET + " characters");
        } else if (!printableAscii(clientSecret)) {
            problems.add("client_secret must be printable ASCII (RFC 6749 VSCHAR); a line break from pasting it?");
        }
        if (request.getExpectedVersion() < 0) {
            problems.add("expected_version must be 0 (whatever is stored) or the version read");
        }
        if (request.getStoredBy().length() > MAX_STORED_BY) {
            problems.add("stored_by is longer than " + MAX_STORED_BY + " characters");
        }
        refuse(problems);
        return new ClientKey(request.getKey().getTenantId(), request.getKey().getConnectorId());
    }

    private static void checkKey(boolean present, OAuthClientKey key, List<String> problems) {
        if (!present) {
            problems.add("key is required (connector_id, and tenant_id unless it is the platform's client)");
            return;
        }
        if (key.getConnectorId().isEmpty()) {
            problems.add("key.connector_id is required");
        } else if (!CONNECTOR_ID.matcher(key.getConnectorId()).matches()) {
            problems.add("key.connector_id must be a connector id (" + CONNECTOR_ID.pattern() + ")");
        }
        if (!key.getTenantId().isEmpty() && !TENANT_ID.matcher(key.getTenantId()).matches()) {
            problems.add("key.tenant_id must be empty (the platform's client) or a tenant id (" + TENANT_ID.pattern() + ")");
        }
    }

    /** RFC 6749 appendix A: client ids and secrets are VSCHAR, %x20-7E. */
    private static boolean printableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static void refuse(List<String> problems) {
        if (!problems.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription(String.join("; ", problems) + ".").asRuntimeException();
        }
    }
}
