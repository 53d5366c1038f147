package dev.polymux.registry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The OpenAPI document (and so Swagger UI) lists every endpoint, and every request body has an example. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class OpenApiDocumentTest {

    @Test
    void everyEndpointIsListedAndEveryRequestBodyHasAnExample() {
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        JsonPath document = given().port(management).accept("application/json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = document.getMap("paths");
        assertTrue(paths.keySet().containsAll(Set.of(
                "/tenants/{tenant}/connectors", "/tenants/{tenant}/connectors/{connectorId}/versions/{version}",
                "/tenants/{tenant}/connectors/{connectorId}/versions/{version}/submit", "/reviews/connectors",
                "/reviews/connectors/{connectorId}/versions/{version}/approve", "/reviews/connectors/{connectorId}/versions/{version}/reject",
                "/reviews/connectors/{connectorId}/versions/{version}/deprecate", "/marketplace/connectors", "/marketplace/connectors/{connectorId}",
                "/tenants/{tenant}/plugins", "/marketplace/plugins", "/marketplace/plugins/{pluginId}", "/tenants/{tenant}/installations",
                "/tenants/{tenant}/installations/{installationId}", "/tenants/{tenant}/installations/by-plugin/{pluginId}",
                "/tenants/{tenant}/listings", "/tenants/{tenant}/listings/{type}/{id}/versions/{version}",
                "/tenants/{tenant}/listings/{type}/{id}/versions/{version}/submit", "/reviews/listings",
                "/reviews/listings/{type}/{id}/versions/{version}/approve", "/reviews/listings/{type}/{id}/versions/{version}/reject",
                "/reviews/listings/{type}/{id}/versions/{version}/deprecate")), paths.keySet().toString());
        List<String> withoutExample = new ArrayList<>();
        paths.forEach((path, operations) -> operations.forEach((method, operation) -> {
            Object body = ((Map<?, ?>) operation).get("requestBody");
            // /problem-probe exists only in ProblemResponsesTest: a test fixture, not part of the API.
            if (body != null && !body.toString().contains("examples") && !path.startsWith("/problem-probe")) {
                withoutExample.add(method + " " + path);
            }
        }));
        assertEquals(List.of(), withoutExample, "request bodies without an example");
        // The endpoints from before the listing API are aliases now, and say so (docs/publishing.md).
        for (String legacy : List.of("/tenants/{tenant}/plugins", "/tenants/{tenant}/connectors", "/reviews/connectors")) {
            paths.get(legacy).forEach((method, operation) -> assertEquals(Boolean.TRUE, ((Map<?, ?>) operation).get("deprecated"), method + " " + legacy));
        }
        paths.get("/tenants/{tenant}/listings").forEach((method, operation) -> assertEquals(null, ((Map<?, ?>) operation).get("deprecated")));
    }
}
