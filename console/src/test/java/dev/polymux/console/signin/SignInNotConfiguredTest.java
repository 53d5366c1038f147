package dev.polymux.console.signin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** With no sign-in configured (the default), the page says so and nobody can sign in. */
@QuarkusTest
class SignInNotConfiguredTest {

    @Test
    void theSignInPageSaysTheConsoleIsNotConfigured() {
        given().get("/signin").then().statusCode(200).body(containsString("not configured for sign-in"), not(containsString("name=\"tenant\"")));
    }

    @Test
    void localSignInDoesNotExist() {
        given().redirects().follow(false).header("Origin", SignInTest.ORIGIN).formParam("tenant", "acme").formParam("subject", "ada")
                .formParam("role", "admin").post("/signin").then().statusCode(404).header("Set-Cookie", nullValue());
    }
}
