package dev.polymux.connector.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * The one HTTP client for calls to providers (declarative tools, Java connectors, OIDC discovery). Every request
 * goes through the {@link AddressGuard} first and then connects to exactly the address the guard checked (Host, SNI
 * and certificate checks still use the URL's host), so DNS cannot answer differently between check and connect.
 * Redirects are never followed here: a 3xx is an answer like any other, and the caller decides.
 * <p>
 * Answer bodies are read as a stream and never held beyond a limit: up to {@link #maxOutputBytes()} for answers the
 * caller will use, and a short excerpt for the others (errors, redirects). Past the limit reading stops and the
 * connection is closed; the response says it was cut. A result must stay far below the Kafka producer's
 * max.request.size (1 MiB), which is why the limit exists at all.
 */
public final class ProviderHttp {

    /** Enough of an error body for the provider's message; the rest is never read. */
    public static final int ERROR_EXCERPT_BYTES = 16 * 1024;

    private final HttpClient client;
    private final AddressGuard guard;
    private final int maxOutputBytes;
    private final int maxRedirects;

    /** An outgoing request; {@code what} names it in refusals ("tool get_repository of github"). */
    public record Request(HttpMethod method, URI url, MultiMap headers, Buffer body, String what) {
        public Request {
            headers = headers == null ? MultiMap.caseInsensitiveMultiMap() : headers;
        }
    }

    /**
     * An answer: its status and headers, and its body up to the limit. {@code cut} says reading stopped at the limit;
     * {@code declaredLength} is the Content-Length when the provider sent one.
     */
    public record Response(int status, MultiMap headers, Buffer body, boolean cut, OptionalLong declaredLength) {
        public String header(String name) {
            return headers.get(name);
        }

        public boolean redirect() {
            return status >= 300 && status < 400 && status != 304 && headers.get("Location") != null;
        }
    }

    /**
     * @param maxOutputBytes the largest answer body kept (polymux.connectors.http.max-output-bytes)
     * @param maxRedirects   hops a tool that opted in to redirects may follow (polymux.connectors.http.max-redirects)
     */
    public ProviderHttp(Vertx vertx, HttpClientOptions options, AddressGuard guard, int maxOutputBytes, int maxRedirects) {
        // Redirects stay off whatever the options say: each hop must pass the guard and the tool's allowedHosts.
        this.client = vertx.createHttpClient(new HttpClientOptions(options).setMaxRedirects(0));
        this.guard = guard;
        this.maxOutputBytes = maxOutputBytes;
        this.maxRedirects = maxRedirects;
    }

    public static ProviderHttp create(io.vertx.mutiny.core.Vertx vertx, AddressGuard guard, int maxOutputBytes, int maxRedirects,
            int maxConnectionsPerHost) {
        return new ProviderHttp(vertx.getDelegate(), new HttpClientOptions().setMaxPoolSize(maxConnectionsPerHost).setKeepAlive(true),
                guard, maxOutputBytes, maxRedirects);
    }

    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    public AddressGuard guard() {
        return guard;
    }

    /**
     * Sends {@code request} to the checked address of its host. Fails with {@link AddressGuard.AddressRefusedException}
     * before any connection when the guard refuses the host, with a {@link TimeoutException} after {@code timeout}.
     *
     * @param fullBody which statuses' bodies the caller uses (kept up to {@link #maxOutputBytes()}); the others are
     *                 read up to {@link #ERROR_EXCERPT_BYTES}
     */
    public Uni<Response> send(Request request, Duration timeout, IntPredicate fullBody) {
        Duration deadline = timeout.isNegative() || timeout.isZero() ? Duration.ofMillis(1) : timeout;
        return guard.checkedAddress(request.url(), request.what())
                .flatMap(address -> exchange(request, address, deadline, fullBody))
                .ifNoItem().after(deadline).failWith(() -> new TimeoutException("No answer within " + deadline.toMillis() + " ms"));
    }

    private Uni<Response> exchange(Request request, InetAddress address, Duration timeout, IntPredicate fullBody) {
        URI url = request.url();
        int port = url.getPort() > 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setAbsoluteURI(url.toString())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setFollowRedirects(false)
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
                .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            // Cancelled (deadline) or finished early: drop the connection, never leave a body half read on it.
            emitter.onTermination(() -> {
                if (done.compareAndSet(false, true) && sent.get() != null) {
                    sent.get().reset();
                }
            });
            client.request(options).onComplete(created -> {
                if (created.failed()) {
                    if (done.compareAndSet(false, true)) {
                        emitter.fail(created.cause());
                    }
                    return;
                }
                HttpClientRequest outgoing = created.result();
                sent.set(outgoing);
                outgoing.exceptionHandler(failure -> {
                    if (done.compareAndSet(false, true)) {
                        emitter.fail(failure);
                    }
                });
                (request.body() == null ? outgoing.send() : outgoing.send(request.body())).onComplete(answered -> {
                    if (answered.failed()) {
                        if (done.compareAndSet(false, true)) {
                            emitter.fail(answered.cause());
                        }
                        return;
                    }
                    read(outgoing, answered.result(), fullBody.test(answered.result().statusCode()) ? maxOutputBytes : ERROR_EXCERPT_BYTES,
                            done, emitter);
                });
            });
        });
    }

    private static void read(HttpClientRequest outgoing, HttpClientResponse response, long limit, AtomicBoolean done,
            io.smallrye.mutiny.subscription.UniEmitter<? super Response> emitter) {
        OptionalLong declared = declaredLength(response.getHeader("Content-Length"));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(response.headers());
        if (declared.isPresent() && declared.getAsLong() > limit) {
            // Said too large up front: not one byte is read.
            if (done.compareAndSet(false, true)) {
                outgoing.reset();
                emitter.complete(new Response(response.statusCode(), headers, Buffer.buffer(), true, declared));
            }
            return;
        }
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (done.get()) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                body.appendBuffer(chunk, 0, (int) (limit - body.length()));
                if (done.compareAndSet(false, true)) {
                    outgoing.reset(); // HTTP/1.x: closes the connection, the rest is never read
                    emitter.complete(new Response(response.statusCode(), headers, body, true, declared));
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        response.exceptionHandler(failure -> {
            if (done.compareAndSet(false, true)) {
                emitter.fail(failure);
            }
        });
        response.endHandler(ignored -> {
            if (done.compareAndSet(false, true)) {
                emitter.complete(new Response(response.statusCode(), headers, body, false, declared));
            }
        });
    }

    private static OptionalLong declaredLength(String header) {
        if (header == null) {
            return OptionalLong.empty();
        }
        try {
            long length = Long.parseLong(header.trim());
            return length < 0 ? OptionalLong.empty() : OptionalLong.of(length);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A sentence for an answer cut at the limit: names the size when the provider declared it. */
    public static String tooLarge(String who, Response response, int limit) {
        return response.declaredLength().isPresent()
                ? who + " answered with " + response.declaredLength().getAsLong() + " bytes, more than the " + limit
                        + " bytes a tool result may have (polymux.connectors.http.max-output-bytes)"
                : who + " answered with more than " + limit + " bytes, more than a tool result may have "
                        + "(polymux.connectors.http.max-output-bytes); reading stopped there";
    }
}
