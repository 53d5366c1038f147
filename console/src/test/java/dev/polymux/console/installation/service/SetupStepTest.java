package dev.polymux.console.installation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.marketplace.service.ConnectorDetail;

/** A setup step's form from its JSON Schema: string properties only; writeOnly or password ones are secret; no properties: the shape. */
class SetupStepTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void stringPropertiesBecomeInputsAndWriteOnlyOnesArePasswords() throws Exception {
        List<SetupStep.Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["url"],"properties":{
                  "url":{"type":"string","title":"Webhook URL","description":"Where events go."},
                  "signing_secret":{"type":"string","writeOnly":true},
                  "pin":{"type":"string","format":"password"},
                  "retries":{"type":"integer"}}}"""), null, false);
        assertEquals(List.of(new SetupStep.Field("url", "Webhook URL", "Where events go.", false, true),
                new SetupStep.Field("signing_secret", "signing_secret", null, true, false),
                new SetupStep.Field("pin", "pin", null, true, false)), fields);
    }

    @Test
    void aSchemaWithoutPropertiesAsksForTheWholeShape() throws Exception {
        ConnectorDetail.Shape shape = new ConnectorDetail.Shape("tuple", List.of(new ConnectorDetail.ShapeField("broker_url", "Broker URL", false),
                new ConnectorDetail.ShapeField("password", "Password", true)));
        assertEquals(List.of(new SetupStep.Field("broker_url", "Broker URL", null, false, false), new SetupStep.Field("password", "Password", null, true, false)),
                SetupStep.fields(JSON.readTree("{\"type\":\"object\"}"), shape, false));
    }
}
