package dev.polymux.dispatch.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * {@link ProviderStub}'s address served by a WireMock that waits out stub delays on timers instead of its request
 * threads, for tests that keep a few hundred slow provider calls open at once (ProviderStub's 32 threads would queue
 * them, and a request queued at the provider when its caller is killed would still be logged, later, as a run).
 * Takes over ProviderStub's port, so the connectors {@link Suite} published (whose URLs name that port) call it.
 * Records every request as it arrives ({@link #runs()}).
 */
public final class LoadProviderStub {

    private static WireMockServer server;
    private static ProviderRuns runs;

    private LoadProviderStub() {
    }

    /** Stops ProviderStub's server (started first, for its port) and serves its port instead. */
    public static synchronized void takeOverProviderStub() {
        int port = ProviderStub.server().port();
        ProviderStub.server().stop();
        runs = new ProviderRuns();
        server = new WireMockServer(wireMockConfig().port(port).containerThreads(64).asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(16).extensions(runs));
        server.start();
    }

    public static WireMockServer server() {
        return server;
    }

    /** Every request since the takeover, as it arrived. */
    public static ProviderRuns runs() {
        return runs;
    }

    public static synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
