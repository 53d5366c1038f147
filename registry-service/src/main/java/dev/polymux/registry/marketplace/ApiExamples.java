package dev.polymux.registry.marketplace;

/** Request examples shown in the OpenAPI document and Swagger UI. */
public final class ApiExamples {

    public static final String CONNECTOR_MANIFEST = """
            {"id":"acme-crm","version":"1.0.0","label":"Acme CRM","description":"Contacts in Acme CRM.","kind":"oauth",
             "auth":{"authorizationUrl":"https://login.acme.example/oauth/authorize","tokenUrl":"https://login.acme.example/oauth/token",
               "scopes":["contacts.read","contacts.write"],"defaultScopes":["contacts.read"],"pkce":true,
               "brokenGrantMessage":"Access to Acme CRM was revoked; reconnect the connection."},
             "tools":[{"name":"get_contact","description":"Gets one contact.",
               "input":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}},
               "http":{"method":"GET","url":"https://api.acme.example/v2/contacts/{id}","credential":{"placement":"bearer"}}}],
             "allowedHosts":["api.acme.example"]}""";

    public static final String PLUGIN_MANIFEST = """
            {"id":"invoice-sync","version":"1.0.0","label":"Invoice sync","description":"Files invoices to Drive.",
             "connections":[
               {"kind":"vault","key":"stripe_restricted_key","label":"Stripe restricted key",
                "help":"Use a restricted key with `write:checkout-sessions`.","required":true,
                "shape":{"kind":"single","field":"value","secret":true}},
               {"kind":"oauth","key":"drive","label":"Google Drive","connector":"google-drive",
                "scopes":["https://www.googleapis.com/auth/drive.file"]}]}""";

    public static final String PLUGIN_LISTING = "{\"type\":\"plugin\",\"manifest\":" + PLUGIN_MANIFEST + "}";

    public static final String CONNECTION_LISTING = "{\"type\":\"connection\",\"manifest\":" + CONNECTOR_MANIFEST + "}";

    public static final String REJECTION = """
            {"note":"The tools ask for contacts.write but only read contacts; drop the scope and submit a new version."}""";

    public static final String INSTALL = """
            {"pluginId":"invoice-sync","pluginVersion":"1.0.0"}""";

    public static final String DECISION = """
            {"note":"Scopes match what the tools use; approved."}""";

    private ApiExamples() {
    }
}
