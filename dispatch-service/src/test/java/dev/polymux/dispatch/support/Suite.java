package dev.polymux.dispatch.support;

/**
 * The connectors and the plugin every pipeline test uses, published once per test JVM: a vault connector and a
 * client-credentials OAuth connector calling {@link ProviderStub}, and the in-tree mqtt integration.
 */
public final class Suite {

    public static final String PLUGIN = "dispatch-suite";

    private Suite() {
    }

    public static synchronized void published() {
        Platform.connector("acme-api", """
                {"id":"acme-api","version":"1.0.0","label":"Acme API","kind":"vault",
                 "auth":{"shape":{"kind":"single","field":"value","secret":true}},
                 "tools":[
                  {"name":"get_widget","description":"Reads a widget.",
                   "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string","pattern":"^[a-z0-9-]+$"}},"additionalProperties":false},
                   "http":{"method":"GET","url":"%1$s/widgets/{id}","credential":{"placement":"header","name":"X-Api-Key"},"successCodes":[200]}},
                  {"name":"create_order","description":"Creates an order.",
                   "input":{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"}}},
                   "http":{"method":"POST","url":"%1$s/orders","body":{"sku":"{sku}"},"credential":{"placement":"header","name":"X-Api-Key"},
                     "idempotencyKeyHeader":"Idempotency-Key","successCodes":[200,201]}}],
                 "allowedHosts":["localhost"],"limits":{"concurrencyPerInstallation":64}}""".formatted(ProviderStub.url("")));
        Platform.connector("acme-oauth", """
                {"id":"acme-oauth","version":"1.0.0","label":"Acme OAuth API","kind":"oauth",
                 "auth":{"grantType":"client_credentials","tokenUrl":"%s","scopes":["read"],"defaultScopes":["read"]},
                 "tools":[{"name":"whoami","description":"Who the token belongs to.",
                   "input":{"type":"object","properties":{"path":{"type":"string","pattern":"^[a-z]+$"}}},
                   "http":{"method":"GET","url":"%s/oauth/{path}","credential":{"placement":"bearer"},"successCodes":[200]}}],
                 "allowedHosts":["localhost"]}""".formatted(AuthorizationServer.tokenUrl(), ProviderStub.url("")));
        Platform.plugin(PLUGIN, """
                {"id":"%s","version":"1.0.0","label":"Dispatch suite","connections":[
                  {"kind":"vault","key":"acme","label":"Acme key","connector":"acme-api"},
                  {"kind":"oauth","key":"acme_oauth","label":"Acme account","connector":"acme-oauth","scopes":["read"]},
                  {"kind":"integration","key":"broker","label":"Broker","connector":"mqtt"}]}""".formatted(PLUGIN));
    }
}
