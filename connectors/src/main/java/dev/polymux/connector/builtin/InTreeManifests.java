package dev.polymux.connector.builtin;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The manifests of the connectors shipped in this module ({@code connectors/<id>/manifest.json}). */
public final class InTreeManifests {

    /** Every in-tree connector, with code or without. */
    public static final List<String> IDS = List.of("github", "stripe", "google-drive", "mqtt");

    private static final ObjectMapper JSON = new ObjectMapper();

    private InTreeManifests() {
    }

    /** A fresh copy each call: callers may adapt it (tests point it at stubs). */
    public static ObjectNode load(String connectorId) {
        try (InputStream in = InTreeManifests.class.getResourceAsStream("/connectors/" + connectorId + "/manifest.json")) {
            if (in == null) {
                throw new IllegalArgumentException("No in-tree connector '" + connectorId + "'; there are " + IDS);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("The " + connectorId + " manifest ships with this module", e);
        }
    }
}
