package dev.polymux.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import dev.polymux.common.problem.Problem;
import dev.polymux.common.problem.ProblemException;
import dev.polymux.common.problem.ProblemType;
import dev.polymux.testing.kafka.KafkaBrokerResource;
import dev.polymux.testing.postgres.PostgresResource;
import dev.polymux.testing.security.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The shared problem+json mappers (commons), driven through a resource that exists only in this test, since the
 * services' own resources come later. Each error is checked for its status, type and detail, and for not leaking
 * what the caller sent or what an exception said.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(TestTokens.class)
class ProblemResponsesTest {

    @Path("/problem-probe")
    public static class ProblemProbeResource {

        public record Draft(@NotBlank String label, @Size(max = 3) List<String> scopes) {
        }

        @POST
        @Path("/conflict")
        public String conflict() {
            throw new ProblemException(ProblemType.CONFLICT, "Connector acme-crm 1.2.0 exists already.",
                    List.of(new Problem.InvalidParam("/version", "already used")));
        }

        @POST
        @Path("/validate")
        public String validate(@Valid Draft draft) {
            return draft.label();
        }

        @POST
        @Path("/bug")
        public String bug() {
            throw new IllegalStateException("token=sk_live_do_not_show");
        }
    }

    @Test
    void problemExceptionKeepsItsStatusTypeAndSentence() {
        given().post("/problem-probe/conflict")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/conflict"))
                .body("title", equalTo("Conflict"))
                .body("detail", equalTo("Connector acme-crm 1.2.0 exists already."))
                .body("instance", equalTo("/problem-probe/conflict"))
                .body("errors[0].pointer", equalTo("/version"));
    }

    @Test
    void invalidBodyListsEachViolationByJsonPointer() {
        given().contentType("application/json").body("{\"label\":\"\",\"scopes\":[\"a\",\"b\",\"c\",\"d\"]}")
                .post("/problem-probe/validate")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/validation-failed"))
                .body("detail", equalTo("2 inputs are not valid."))
                .body("errors", hasSize(2))
                .body("errors[0].pointer", equalTo("/label"))
                .body("errors[1].pointer", equalTo("/scopes"));
    }

    @Test
    void malformedJsonGivesItsPositionButNeverEchoesTheBody() {
        given().contentType("application/json").body("{\"label\": \"sk_live_pasted_secret")
                .post("/problem-probe/validate")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/malformed-json"))
                .body("detail", startsWith("The request body could not be read as JSON (line 1, column"))
                .body(not(containsString("sk_live")));
    }

    @Test
    void unknownFieldsAreRefusedRatherThanIgnored() {
        given().contentType("application/json").body("{\"label\":\"x\",\"lable\":\"typo\"}")
                .post("/problem-probe/validate")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/validation-failed"))
                .body("errors[0].pointer", equalTo("/lable"))
                .body("errors[0].message", equalTo("is not a known property"));
    }

    @Test
    void wrongTypeNamesThePointerButNotTheValue() {
        given().contentType("application/json").body("{\"label\":\"x\",\"scopes\":{\"secret\":\"sk_live_typed_here\"}}")
                .post("/problem-probe/validate")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/scopes"))
                .body(not(containsString("sk_live")));
    }

    @Test
    void unexpectedErrorShowsAnErrorIdAndNotTheExceptionMessage() {
        given().post("/problem-probe/bug")
                .then().statusCode(500)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/internal-error"))
                .body("detail", startsWith("Something went wrong on our side; quote error id "))
                .body(not(containsString("sk_live")));
    }

    @Test
    void wrongMethodIsAProblemToo() {
        given().get("/problem-probe/conflict")
                .then().statusCode(405)
                .contentType("application/problem+json")
                .body("type", equalTo("https://docs.polymux.dev/problems/method-not-allowed"));
    }
}
