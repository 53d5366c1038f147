package dev.polymux.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Renders every kustomization under {@code k8s/} (the base, each overlay, the Strimzi resources: whatever
 * directory holds a {@code kustomization.yaml}) with {@code kubectl kustomize} and checks every object against
 * its schema offline: Kubernetes' own kinds and Gateway API, ServiceMonitor and Strimzi through their Java
 * models (unknown fields refused), KEDA and CloudNativePG through their vendored CRD schemas
 * ({@code src/test/resources/crds/}). The tests below the first prove that each checker really refuses.
 */
class ManifestsTest {

    private static ManifestChecker checker;

    @BeforeAll
    static void loadSchemas() {
        checker = new ManifestChecker();
    }

    static Path k8sDir() {
        return Path.of(System.getProperty("k8s.dir", ".")).toAbsolutePath().normalize();
    }

    static List<Path> kustomizations() throws IOException {
        Path root = k8sDir();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent)
                    .filter(dir -> !root.relativize(dir).startsWith("target") && !root.relativize(dir).startsWith("src"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theBaseAndAnOverlayAreFound() throws IOException {
        List<String> found = kustomizations().stream().map(d -> k8sDir().relativize(d).toString()).toList();
        assertTrue(found.contains("base"), "no k8s/base/kustomization.yaml under " + k8sDir() + ": " + found);
        assertTrue(found.stream().anyMatch(d -> d.startsWith("overlays/")), "no overlay found: " + found);
    }

    @TestFactory
    Stream<DynamicTest> everyKustomizationRendersAndMatchesItsSchemas() throws IOException {
        return kustomizations().stream().map(dir -> DynamicTest.dynamicTest(k8sDir().relativize(dir).toString(), () -> {
            ManifestChecker.Rendering rendering = checker.render(k8sDir(), dir);
            assertFalse(rendering.objects().isEmpty(), "kubectl kustomize " + dir + " rendered no object");
            List<ManifestChecker.Problem> problems = checker.check(rendering);
            assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s) in kubectl kustomize "
                    + k8sDir().relativize(dir) + ":\n  "
                    + problems.stream().map(Object::toString).collect(Collectors.joining("\n  ")));
            // No object passes vacuously: a field added at its top and in its spec is refused for every one of them.
            for (ManifestChecker.Source source : rendering.objects()) {
                ObjectNode mutated = source.object().deepCopy();
                mutated.put("notAKubernetesField", 1);
                List<String> expected = new ArrayList<>(List.of("notAKubernetesField"));
                if (mutated.get("spec") instanceof ObjectNode spec) {
                    spec.put("notAKubernetesField", 1);
                    expected.add("spec.notAKubernetesField");
                }
                List<String> paths = checker.check(new ManifestChecker.Rendering(List.of(new ManifestChecker.Source(
                        source.file(), mutated)))).stream().map(ManifestChecker.Problem::path).sorted().toList();
                assertEquals(expected, paths, () -> "the check of " + source.object().path("kind").asText() + " "
                        + source.object().path("metadata").path("name").asText() + " (" + source.file()
                        + ") does not refuse unknown fields");
            }
        }));
    }

    // ---- Every checker refuses: each bad document has a good twin that passes. ----

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: registry-service
              namespace: polymux
            spec:
              selector:
                matchLabels: {app: registry-service}
              template:
                metadata:
                  labels: {app: registry-service}
                spec:
                  containers:
                    - name: app
                      image: polymux/registry-service:0.1.0
                      %s: IfNotPresent
                      ports:
                        - containerPort: 8080
            """;

    @Test
    void aMisspeltDeploymentFieldIsRefused() {
        assertEquals(List.of(), check(DEPLOYMENT.formatted("imagePullPolicy")));
        List<ManifestChecker.Problem> problems = check(DEPLOYMENT.formatted("imagePullPolicyy"));
        assertEquals(1, problems.size(), problems::toString);
        ManifestChecker.Problem problem = problems.get(0);
        assertEquals("spec.template.spec.containers[0].imagePullPolicyy", problem.path(), problem::toString);
        assertTrue(problem.toString().contains("Deployment polymux/registry-service"), problem::toString);
        assertTrue(problem.toString().contains("test.yaml"), problem::toString);
    }

    @Test
    void aMisspeltFieldInObjectMetaAndInANestedKubernetesTypeIsRefused() {
        String config = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: polymux-common
                  %s: {a: b}
                data: {A: b}
                """;
        assertEquals(List.of(), check(config.formatted("labels")));
        assertPaths(check(config.formatted("lables")), "metadata.lables");

        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: registry-service}
                spec:
                  selector: {app: registry-service}
                  ports:
                    - port: 80
                      %s: 8080
                """;
        assertEquals(List.of(), check(service.formatted("targetPort")));
        assertPaths(check(service.formatted("targetport")), "spec.ports[0].targetport");
    }

    @Test
    void aNumberWhereKubernetesWantsAStringIsRefused() {
        String config = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: polymux-common}
                data: {PORT: %s}
                """;
        assertEquals(List.of(), check(config.formatted("\"8080\"")));
        assertPaths(check(config.formatted("8080")), "data.PORT");
    }

    @Test
    void anUnknownKindOrApiVersionIsRefused() {
        assertTrue(check("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """).get(0).message().contains("unknown kind"));
        assertTrue(check("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata: {name: w}
                """).get(0).message().contains("unknown kind"));
        // Removed from Kubernetes (1.25): the Java model still has it, a cluster no longer serves it.
        assertTrue(check("""
                apiVersion: policy/v1beta1
                kind: PodDisruptionBudget
                metadata: {name: w}
                spec: {maxUnavailable: 1}
                """).get(0).message().contains("unknown kind"));
        assertEquals(List.of(), check("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: w}
                spec: {maxUnavailable: 1}
                """));
    }

    private static final String SCALED_OBJECT = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: dispatch-service
              namespace: polymux
            spec:
              scaleTargetRef:
                name: dispatch-service
              %s: 30
              minReplicaCount: 1
              maxReplicaCount: 12
              triggers:
                - type: kafka
                  metadata:
                    bootstrapServers: polymux-kafka-bootstrap:9092
                    consumerGroup: dispatch-service
                    topic: polymux.tool-calls.v1
                    lagThreshold: "50"
                  authenticationRef:
                    name: dispatch-service-kafka
            """;

    @Test
    void aScaledObjectWithAnUnknownFieldIsRefused() {
        assertEquals(List.of(), check(SCALED_OBJECT.formatted("pollingInterval")));
        assertPaths(check(SCALED_OBJECT.formatted("pollingIntervall")), "spec.pollingIntervall");
        // metadata of a CRD object is checked against ObjectMeta
        assertPaths(check(SCALED_OBJECT.formatted("pollingInterval").replace("  namespace: polymux", "  namespaec: polymux")),
                "metadata.namespaec");
    }

    @Test
    void aTriggerAuthenticationAndACloudNativePgClusterWithAnUnknownFieldAreRefused() {
        String auth = """
                apiVersion: keda.sh/v1alpha1
                kind: TriggerAuthentication
                metadata: {name: dispatch-service-kafka}
                spec:
                  secretTargetRef:
                    - parameter: sasl
                      name: dispatch-service-kafka
                      %s: sasl
                """;
        assertEquals(List.of(), check(auth.formatted("key")));
        // the misspelt required key is refused twice: as an unknown field and as a missing one
        assertPaths(check(auth.formatted("kee")), "spec.secretTargetRef[0]", "spec.secretTargetRef[0].kee");

        String cluster = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: polymux-pg}
                spec:
                  instances: 3
                  storage:
                    %s: 10Gi
                """;
        assertEquals(List.of(), check(cluster.formatted("size")));
        assertPaths(check(cluster.formatted("sise")), "spec.storage.sise");
    }

    private static final String KAFKA_TOPIC = """
            apiVersion: kafka.strimzi.io/v1beta2
            kind: KafkaTopic
            metadata:
              name: polymux.tool-calls.v1
              labels: {strimzi.io/cluster: polymux}
            spec:
              %s: 12
              replicas: 3
              config:
                retention.ms: 604800000
            """;

    @Test
    void aKafkaTopicWithAnUnknownFieldIsRefused() {
        assertEquals(List.of(), check(KAFKA_TOPIC.formatted("partitions")));
        assertPaths(check(KAFKA_TOPIC.formatted("partitionz")), "spec.partitionz");
    }

    @Test
    void anHttpRouteAndAServiceMonitorWithAnUnknownFieldAreRefused() {
        String route = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: console}
                spec:
                  parentRefs: [{name: polymux}]
                  rules:
                    - backendRefs:
                        - name: console
                          %s: 8080
                """;
        assertEquals(List.of(), check(route.formatted("port")));
        assertPaths(check(route.formatted("prot")), "spec.rules[0].backendRefs[0].prot");

        String monitor = """
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: polymux}
                spec:
                  selector: {matchLabels: {app.kubernetes.io/part-of: polymux}}
                  endpoints:
                    - port: http
                      %s: /q/metrics
                """;
        assertEquals(List.of(), check(monitor.formatted("path")));
        assertPaths(check(monitor.formatted("pathh")), "spec.endpoints[0].pathh");
    }

    private static List<ManifestChecker.Problem> check(String yaml) {
        return checker.check(checker.parse("test.yaml", yaml));
    }

    private static void assertPaths(List<ManifestChecker.Problem> problems, String... paths) {
        assertEquals(List.of(paths), problems.stream().map(ManifestChecker.Problem::path).toList(), problems::toString);
    }
}
