package dev.polymux.connector.engine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import dev.polymux.connector.net.AddressGuard;
import dev.polymux.connector.net.ProviderHttp;

/** Engine options for tests whose providers are stubs on this machine: loopback and plain http allowed, as on the local stack. */
public final class LocalProviders {

    /** What the local stack allows (polymux.connectors.allowed-private-hosts), for the guard and for review alike. */
    public static final List<String> ALLOWED_PRIVATE_HOSTS = List.of("localhost", "127.0.0.0/8", "::1");

    private LocalProviders() {
    }

    public static AddressGuard guard() {
        return new AddressGuard(ALLOWED_PRIVATE_HOSTS, List.of(), true, InetAddress::getAllByName);
    }

    /** The provider client of production (guarded, pinned, capped at 256 KiB, 3 redirect hops) with the local guard. */
    public static ProviderHttp http(io.vertx.mutiny.core.Vertx vertx) {
        return http(vertx, guard());
    }

    public static ProviderHttp http(io.vertx.mutiny.core.Vertx vertx, AddressGuard guard) {
        return ProviderHttp.create(vertx, guard, 262144, 3, 100);
    }

    public static DeclarativeOAuth.Options options() {
        return new DeclarativeOAuth.Options(guard(), Duration.ofSeconds(10), Duration.ofHours(1), 100);
    }
}
