package dev.polymux.connector.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard resolves names with a resolver the test controls, so no lookup or connection leaves this machine. */
class AddressGuardTest {

    private final Map<String, String> dns = new ConcurrentHashMap<>(Map.of(
            "api.example.com", "93.184.216.34",
            "metadata.attacker.example", "169.254.169.254",
            "mock.local", "127.0.0.1"));

    private AddressGuard guard(List<String> allowed, boolean plainHttp) {
        return new AddressGuard(allowed, List.of("203.0.113.0/24"), plainHttp, host -> {
            String address = dns.get(host);
            if (address == null) {
                if (AddressRange.looksLikeRange(host)) {
                    return new InetAddress[] { InetAddress.getByName(host) };
                }
                throw new UnknownHostException(host);
            }
            return new InetAddress[] { InetAddress.getByName(address) };
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://127.0.0.1/token", "https://169.254.169.254/latest/meta-data", "https://10.1.2.3/",
            "https://172.20.0.1/", "https://192.168.1.1/", "https://100.64.0.1/", "https://[::1]/", "https://[fd00::1]/",
            "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://metadata.attacker.example/token",
            "https://mock.local/token", "https://203.0.113.9/" })
    void refusesWhatIsNotThePublicInternet(String url) {
        var refused = assertThrows(AddressGuard.AddressRefusedException.class,
                () -> guard(List.of(), false).checkBlocking(URI.create(url), "the token endpoint of Acme"));
        assertTrue(refused.getMessage().contains("the token endpoint of Acme"), refused.getMessage());
    }

    @Test
    void allowsPublicHttpsHosts() {
        assertDoesNotThrow(() -> guard(List.of(), false).checkBlocking(URI.create("https://api.example.com/token"), "x"));
    }

    @Test
    void plainHttpUserInfoAndUnresolvableHostsAreRefused() {
        AddressGuard guard = guard(List.of(), false);
        assertThrows(AddressGuard.AddressRefusedException.class, () -> guard.checkBlocking(URI.create("http://api.example.com/"), "x"));
        assertThrows(AddressGuard.AddressRefusedException.class,
                () -> guard.checkBlocking(URI.create("https://user:pw@api.example.com/"), "x"));
        assertThrows(AddressGuard.AddressRefusedException.class, () -> guard.checkBlocking(URI.create("https://nowhere.invalid/"), "x"));
        assertThrows(AddressGuard.AddressRefusedException.class, () -> guard.checkBlocking(URI.create("/relative"), "x"));
    }

    @Test
    void anOperatorOpensNamedHostsAndRanges() {
        AddressGuard guard = guard(List.of("mock.local", "10.0.0.0/8", "*.svc.internal"), true);
        assertDoesNotThrow(() -> guard.checkBlocking(URI.create("http://mock.local:8080/token"), "x"));
        assertDoesNotThrow(() -> guard.checkBlocking(URI.create("https://10.9.9.9/token"), "x"));
        assertDoesNotThrow(() -> guard.checkBlocking(URI.create("https://keycloak.svc.internal/token"), "x"));
        assertThrows(AddressGuard.AddressRefusedException.class, () -> guard.checkBlocking(URI.create("https://127.0.0.1/"), "x"));
    }

    @Test
    void aHostThatResolvesElsewhereNowIsRefusedNow() {
        AddressGuard guard = guard(List.of(), false);
        guard.checkBlocking(URI.create("https://api.example.com/token"), "x");
        dns.put("api.example.com", "127.0.0.1"); // DNS rebinding after review
        assertThrows(AddressGuard.AddressRefusedException.class, () -> guard.checkBlocking(URI.create("https://api.example.com/token"), "x"));
    }
}
