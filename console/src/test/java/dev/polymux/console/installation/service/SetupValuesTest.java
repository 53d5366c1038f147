package dev.polymux.console.installation.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.polymux.console.installation.client.StepSubmission;
import dev.polymux.console.installation.service.SetupStep.Field;

/**
 * A setup step's form values as the JSON types their fields declare: whole numbers, numbers, booleans (an unchecked
 * box is false), a choice only among its values; a value that does not convert is a sentence naming the field, never
 * the value.
 */
class SetupValuesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Field> fields() throws Exception {
        return SetupStep.fields(JSON.readTree("""
                {"type":"object","required":["host"],"properties":{
                  "host":{"type":"string","title":"Host"},
                  "password":{"type":"string","writeOnly":true},
                  "port":{"type":"integer","title":"Port"},
                  "ratio":{"type":"number","title":"Ratio"},
                  "tls":{"type":"boolean","title":"Use TLS"},
                  "region":{"type":"string","title":"Region","enum":["eu","us"]},
                  "qos":{"type":"integer","title":"QoS","enum":[0,1,2]},
                  "headers":{"type":"object","title":"Headers"}}}"""), null, false);
    }

    private static Map<String, String> form(String... namesAndValues) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.put("field." + namesAndValues[i], namesAndValues[i + 1]);
        }
        return form;
    }

    @Test
    void valuesBecomeTheirFieldsJsonTypes() throws Exception {
        Map<String, Object> values = SetupValues.of(fields(), form("host", "mqtt.example", "password", "p", "port", " 8883 ", "ratio", "0.25",
                "tls", "true", "region", "us", "qos", "1", "headers", "{}", "other", "x"));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("host", "mqtt.example");
        expected.put("password", "p");
        expected.put("port", 8883L);
        expected.put("ratio", new BigDecimal("0.25"));
        expected.put("tls", true);
        expected.put("region", "us");
        expected.put("qos", 1L);
        assertEquals(expected, values); // not the object one (no input), not another step's field
        assertEquals("{\"fields\":{\"host\":\"mqtt.example\",\"password\":\"p\",\"port\":8883,\"ratio\":0.25,\"tls\":true,\"region\":\"us\",\"qos\":1}}",
                JSON.writeValueAsString(new StepSubmission(values)));
    }

    @Test
    void emptyInputsAreLeftOutButAnUncheckedBoxIsFalse() throws Exception {
        Map<String, Object> values = SetupValues.of(fields(), form("host", "", "port", "", "ratio", "  ", "region", "", "qos", ""));
        assertEquals(Map.of("tls", false), values);
    }

    @Test
    void aValueThatDoesNotConvertNamesItsFieldNeverTheValue() throws Exception {
        List<Field> fields = fields();
        assertSentence("Port must be a whole number.", fields, form("port", "80.5"));
        assertSentence("Port must be a whole number.", fields, form("port", "secret-ish"));
        assertSentence("Ratio must be a number.", fields, form("ratio", "NaN"));
        assertSentence("Use TLS must be on or off.", fields, form("tls", "yes"));
        assertSentence("Region must be one of its choices.", fields, form("region", "ap"));
        assertSentence("QoS must be one of its choices.", fields, form("qos", "3"));
    }

    private static void assertSentence(String sentence, List<Field> fields, Map<String, String> form) {
        SetupValues.NotConvertible refused = assertThrows(SetupValues.NotConvertible.class, () -> SetupValues.of(fields, form));
        assertEquals(sentence, refused.getMessage());
        form.values().forEach(value -> assertFalse(refused.getMessage().contains(value.strip()), "the value in the sentence"));
    }
}
