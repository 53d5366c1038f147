package dev.polymux.console.marketplace.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.polymux.console.marketplace.client.ConnectorView;
import dev.polymux.console.marketplace.client.PluginView;

/**
 * A marketplace tab as shown: the tab, the search, the kind filter (Connections only) and one page of results, with
 * the links that keep them (every link is a plain GET; htmx only fetches less of the page).
 */
public record MarketView(String tab, String q, String kind, int page, int size, long total, List<ConnectorView> connectors,
        List<PluginView> plugins) {

    public static final String BASE = "/integrations/marketplace";

    public boolean connectionsTab() {
        return "connections".equals(tab);
    }

    public int count() {
        return connectionsTab() ? connectors.size() : plugins.size();
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }

    public long from() {
        return count() == 0 ? 0 : (long) page * size + 1;
    }

    public long to() {
        return (long) page * size + count();
    }

    /** This tab's search at another page. */
    public String pageUrl(int otherPage) {
        StringBuilder url = new StringBuilder(BASE).append("?tab=").append(tab);
        if (q != null && !q.isEmpty()) {
            url.append("&q=").append(URLEncoder.encode(q, StandardCharsets.UTF_8));
        }
        if (connectionsTab() && kind != null) {
            url.append("&kind=").append(kind);
        }
        if (size != 20) {
            url.append("&size=").append(size);
        }
        return url.append("&page=").append(otherPage).toString();
    }

    public String previousUrl() {
        return pageUrl(page - 1);
    }

    public String nextUrl() {
        return pageUrl(page + 1);
    }

    /** Another tab, keeping the search text. */
    public String tabUrl(String otherTab) {
        String url = BASE + "?tab=" + otherTab;
        return q == null || q.isEmpty() ? url : url + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
    }

    public boolean kindIs(String value) {
        return value.equals(kind);
    }

    public List<String> kinds() {
        return List.of("vault", "oauth", "integration");
    }
}
