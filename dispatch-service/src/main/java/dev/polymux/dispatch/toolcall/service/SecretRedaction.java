package dev.polymux.dispatch.toolcall.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.polymux.connector.engine.HttpRequestAction;
import dev.polymux.connector.engine.RequestTarget;
import dev.polymux.connector.sdk.Credentials;
import dev.polymux.connector.sdk.Secret;

/**
 * Cuts a call's credential values out of what a provider sent back, in every form a provider may echo them: as
 * they are, as HTTP Basic sends them (base64 of "user:pass", of "token:", of the value alone; standard and URL-safe,
 * padded or not), URL-encoded (form encoding and %20), and JSON-escaped (as Jackson writes it, with and without
 * non-ASCII escapes), and for polymux.http_request the values as its templates placed them, in the same forms. Used on
 * failure messages and on succeeded outputs, field names included.
 */
final class SecretRedaction {

    static final String MARK = "[redacted]";
    /** Shorter values are not secrets worth hiding, and would blank ordinary words. */
    private static final int MIN_LENGTH = 4;
    /** How excerpts end that were cut short (a provider's message, a program's standard error). */
    private static final String CUT = "...";
    /** The shortest start of a value that a cut excerpt's end is taken for. */
    private static final int MIN_PARTIAL = 3;

    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final ObjectMapper ASCII = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final List<String> forms;

    private SecretRedaction(List<String> forms) {
        this.forms = forms;
    }

    /**
     * With {@code request} (the call is polymux.http_request), also the values as its placements rendered them from
     * their templates: a Basic "api:{value}" pair, a prefixed header, a query value with its prefix, and so their
     * base64 and URL-encoded forms as they were sent, which the stored values' own forms do not cover.
     */
    static SecretRedaction of(Credentials credentials, RequestTarget request) {
        if (credentials == null) {
            return new SecretRedaction(List.of());
        }
        List<String> values = new ArrayList<>();
        Set<String> encodedPairs = new LinkedHashSet<>();
        switch (credentials) {
            case Credentials.OAuthToken oauth -> {
                values.add(oauth.tokens().accessToken().reveal());
                if (oauth.tokens().refreshToken() != null) {
                    values.add(oauth.tokens().refreshToken().reveal());
                }
            }
            case Credentials.Fields fields -> {
                fields.values().values().stream().map(Secret::reveal).forEach(values::add);
                fields.field("username").ifPresent(user -> encodedPairs.add(user.reveal() + ":"
                        + fields.field("password").map(Secret::reveal).orElse("")));
            }
        }
        if (request != null) {
            values.addAll(HttpRequestAction.placedValues(request, credentials));
        }
        Set<String> forms = new LinkedHashSet<>();
        for (String value : values) {
            if (value == null || value.length() < MIN_LENGTH) {
                continue;
            }
            forms.add(value);
            encodedPairs.add(value + ":");
            encodedPairs.add(value);
            String form = URLEncoder.encode(value, StandardCharsets.UTF_8);
            forms.add(form);
            forms.add(form.replace("+", "%20"));
            forms.add(lowerHex(form));
            forms.add(lowerHex(form.replace("+", "%20")));
            forms.add(jsonEscaped(PLAIN, value));
            forms.add(jsonEscaped(ASCII, value));
        }
        for (String pair : encodedPairs) {
            byte[] bytes = pair.getBytes(StandardCharsets.UTF_8);
            String padded = Base64.getEncoder().encodeToString(bytes);
            String urlSafe = Base64.getUrlEncoder().encodeToString(bytes);
            forms.add(padded);
            forms.add(urlSafe);
            forms.add(stripPadding(padded));
            forms.add(stripPadding(urlSafe));
        }
        List<String> sorted = new ArrayList<>(forms.stream().filter(form -> form.length() >= MIN_LENGTH).toList());
        // Longest first: a form that contains another (an escaped value holds the raw prefix) goes as a whole.
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretRedaction(List.copyOf(sorted));
    }

    String text(String text) {
        if (text == null || forms.isEmpty()) {
            return text;
        }
        String clean = text;
        for (String form : forms) {
            if (clean.contains(form)) {
                clean = clean.replace(form, MARK);
            }
        }
        return clean.endsWith(CUT) ? cutInsideAValue(clean) : clean;
    }

    /**
     * An excerpt cut short may end inside a value, which no whole form matches: the start of a value it ends with goes
     * too. Only where the text was cut, so an ordinary sentence keeps its last word.
     */
    private String cutInsideAValue(String text) {
        String body = text.substring(0, text.length() - CUT.length());
        int longest = 0;
        for (String form : forms) {
            for (int length = Math.min(form.length() - 1, body.length()); length >= MIN_PARTIAL && length > longest; length--) {
                if (body.regionMatches(body.length() - length, form, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest == 0 ? text : body.substring(0, body.length() - longest) + MARK + CUT;
    }

    /** A copy of the output with every string value, number that is a secret, and field name redacted. */
    JsonNode json(JsonNode output) {
        if (output == null || forms.isEmpty()) {
            return output;
        }
        return walk(output);
    }

    private JsonNode walk(JsonNode node) {
        if (node.isTextual()) {
            String clean = text(node.textValue());
            return clean.equals(node.textValue()) ? node : JsonNodeFactory.instance.textNode(clean);
        }
        if (node.isNumber()) {
            String digits = node.asText();
            return text(digits).equals(digits) ? node : JsonNodeFactory.instance.textNode(MARK);
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(item -> copy.add(walk(item)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                String name = text(field.getKey());
                // Two names redacted alike must not overwrite each other.
                String unique = name;
                for (int n = 2; copy.has(unique); n++) {
                    unique = name + "#" + n;
                }
                copy.set(unique, walk(field.getValue()));
            }
            return copy;
        }
        return node;
    }

    private static String jsonEscaped(ObjectMapper mapper, String value) {
        try {
            String quoted = mapper.writeValueAsString(value);
            return quoted.substring(1, quoted.length() - 1);
        } catch (JsonProcessingException e) {
            return value;
        }
    }

    private static String lowerHex(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                out.append(c).append(Character.toLowerCase(encoded.charAt(i + 1))).append(Character.toLowerCase(encoded.charAt(i + 2)));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String stripPadding(String base64) {
        int end = base64.length();
        while (end > 0 && base64.charAt(end - 1) == '=') {
            end--;
        }
        return base64.substring(0, end);
    }
}
