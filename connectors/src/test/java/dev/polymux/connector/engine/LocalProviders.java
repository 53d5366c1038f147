package dev.polymux.connector.engine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import dev.polymux.connector.net.AddressGuard;

/** Engine options for tests whose providers are stubs on this machine: loopback and plain http allowed, as on the local stack. */
public final class LocalProviders {

    private LocalProviders() {
    }

    public static AddressGuard guard() {
        return new AddressGuard(List.of("localhost", "127.0.0.0/8", "::1"), List.of(), true, InetAddress::getAllByName);
    }

    public static DeclarativeOAuth.Options options() {
        return new DeclarativeOAuth.Options(guard(), Duration.ofSeconds(10), Duration.ofHours(1), 100);
    }
}
