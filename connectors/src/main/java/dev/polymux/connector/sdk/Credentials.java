package dev.polymux.connector.sdk;

import java.util.Map;
import java.util.Optional;

/**
 * The credentials a tool call runs with: an OAuth access token, or the fields a vault / integration connection
 * stores (single: "value"; pair: "username", "password"; tuple: its field names). Redacted in {@link #toString()}.
 */
public sealed interface Credentials {

    record OAuthToken(TokenSet tokens) implements Credentials {
        @Override
        public String toString() {
            return "OAuthToken[" + tokens + "]";
        }
    }

    record Fields(Map<String, Secret> values) implements Credentials {
        public Fields {
            values = Map.copyOf(values);
        }

        public Optional<Secret> field(String name) {
            return Optional.ofNullable(values.get(name));
        }

        @Override
        public String toString() {
            return "Fields[" + values.keySet() + "]";
        }
    }

    static Credentials oauth(TokenSet tokens) {
        return new OAuthToken(tokens);
    }

    static Credentials fields(Map<String, Secret> values) {
        return new Fields(values);
    }
}
