package dev.polymux.testing.contract;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;


/**
 * The foundation contract of a service with a database and a public REST API, documented by OpenAPI and Swagger UI.
 */
public abstract class ApiServiceFoundationContract extends PersistentServiceFoundationContract {

    @Test
    void openApiDocumentAndSwaggerUiAreServed() {
        given().port(managementPort()).accept("application/json")
                .when().get("/q/openapi")
                .then().statusCode(200)
                .body("openapi", startsWith("3."));
        given().port(managementPort())
                .when().get("/q/swagger-ui/")
                .then().statusCode(200)
                .body(containsString("swagger"));
    }
}
