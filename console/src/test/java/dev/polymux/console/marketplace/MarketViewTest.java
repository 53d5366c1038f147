package dev.polymux.console.marketplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.polymux.console.marketplace.client.ConnectorView;
import dev.polymux.console.marketplace.service.MarketView;

class MarketViewTest {

    @Test
    void pagerLinksKeepTheSearchAndTheKind() {
        List<ConnectorView> twenty = Collections.nCopies(20, null);
        MarketView second = new MarketView("connections", "git hub&x", "oauth", 1, 20, 45, twenty, List.of());
        assertTrue(second.hasPrevious());
        assertTrue(second.hasNext());
        assertEquals(21, second.from());
        assertEquals(40, second.to());
        assertEquals("/integrations/marketplace?tab=connections&q=git+hub%26x&kind=oauth&page=2", second.nextUrl());
        assertEquals("/integrations/marketplace?tab=plugins&q=git+hub%26x", second.tabUrl("plugins"));
        MarketView last = new MarketView("connections", null, null, 2, 20, 45, Collections.nCopies(5, null), List.of());
        assertFalse(last.hasNext());
        assertEquals(45, last.to());
    }
}
