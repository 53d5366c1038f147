package dev.polymux.console.installation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.installation.service.SetupStep.Field;
import dev.polymux.console.installation.service.SetupStep.Kind;
import dev.polymux.console.marketplace.service.ConnectorDetail;

/**
 * A setup step's form from its JSON Schema: strings are text (writeOnly or password ones secret), integers, numbers
 * and booleans have their own inputs, an {@code enum} is a choice, objects and arrays are named as set through the
 * API; no properties: the shape.
 */
class SetupStepTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void stringPropertiesBecomeInputsAndWriteOnlyOnesArePasswords() throws Exception {
        List<Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["url"],"properties":{
                  "url":{"type":"string","title":"Webhook URL","description":"Where events go."},
                  "signing_secret":{"type":"string","writeOnly":true},
                  "pin":{"type":"string","format":"password"},
                  "untyped":{}}}"""), null, false);
        assertEquals(List.of(new Field("url", "Webhook URL", "Where events go.", false, true),
                new Field("signing_secret", "signing_secret", null, true, false),
                new Field("pin", "pin", null, true, false),
                new Field("untyped", "untyped", null, false, false)), fields);
        assertTrue(fields.get(0).text());
        assertTrue(fields.get(1).secret());
        assertFalse(fields.get(0).secret());
    }

    @Test
    void integersAndNumbersAreNumberInputsWithTheirBounds() throws Exception {
        List<Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["port"],"properties":{
                  "port":{"type":"integer","title":"Port","minimum":1,"maximum":65535},
                  "retries":{"type":"integer"},
                  "ratio":{"type":"number","minimum":0.5,"description":"Share sampled."}}}"""), null, false);
        assertEquals(List.of(new Field("port", "Port", null, Kind.INTEGER, true, List.of(), "1", "65535", false),
                new Field("retries", "retries", null, Kind.INTEGER, false, List.of(), null, null, false),
                new Field("ratio", "ratio", "Share sampled.", Kind.NUMBER, false, List.of(), "0.5", null, false)), fields);
        assertTrue(fields.get(0).integer());
        assertTrue(fields.get(2).number());
    }

    @Test
    void aBooleanIsACheckboxCheckedOnlyByItsDefault() throws Exception {
        List<Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["tls"],"properties":{
                  "tls":{"type":"boolean","title":"Use TLS","default":true},
                  "verbose":{"type":"boolean"}}}"""), null, false);
        assertEquals(List.of(new Field("tls", "Use TLS", null, Kind.BOOLEAN, true, List.of(), null, null, true),
                new Field("verbose", "verbose", null, Kind.BOOLEAN, false, List.of(), null, null, false)), fields);
        assertTrue(fields.get(0).bool());
    }

    @Test
    void anEnumOfStringsOrOfIntegersIsAChoiceOfItsValues() throws Exception {
        List<Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["region"],"properties":{
                  "region":{"type":"string","enum":["eu","us"]},
                  "qos":{"type":"integer","enum":[0,1,2]},
                  "mixed":{"type":"string","enum":["a",1]},
                  "hidden":{"type":"string","writeOnly":true,"enum":["x","y"]}}}"""), null, false);
        assertEquals(List.of(new Field("region", "region", null, Kind.CHOICE, true, List.of("eu", "us"), null, null, false),
                new Field("qos", "qos", null, Kind.CHOICE, false, List.of(0L, 1L, 2L), null, null, false),
                new Field("mixed", "mixed", null, Kind.TEXT, false, List.of(), null, null, false),
                new Field("hidden", "hidden", null, Kind.SECRET, false, List.of(), null, null, false)), fields);
        assertTrue(fields.get(0).choice());
    }

    @Test
    void objectsAndArraysAreNamedAsSetThroughTheApiNotSkipped() throws Exception {
        List<Field> fields = SetupStep.fields(JSON.readTree("""
                {"type":"object","properties":{
                  "headers":{"type":"object","title":"Headers"},
                  "topics":{"type":"array","items":{"type":"string"}},
                  "nullable":{"type":["string","null"]}}}"""), null, false);
        assertEquals(List.of(new Field("headers", "Headers", null, Kind.API_ONLY, false, List.of(), null, null, false),
                new Field("topics", "topics", null, Kind.API_ONLY, false, List.of(), null, null, false),
                new Field("nullable", "nullable", null, Kind.TEXT, false, List.of(), null, null, false)), fields);
        assertTrue(fields.get(0).apiOnly());
    }

    @Test
    void aSchemaWithoutPropertiesAsksForTheWholeShape() throws Exception {
        ConnectorDetail.Shape shape = new ConnectorDetail.Shape("tuple", List.of(new ConnectorDetail.ShapeField("broker_url", "Broker URL", false),
                new ConnectorDetail.ShapeField("password", "Password", true)));
        assertEquals(List.of(new Field("broker_url", "Broker URL", null, false, false), new Field("password", "Password", null, true, false)),
                SetupStep.fields(JSON.readTree("{\"type\":\"object\"}"), shape, false));
    }
}
