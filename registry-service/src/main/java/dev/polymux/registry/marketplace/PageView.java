package dev.polymux.registry.marketplace;

import java.util.List;

/** One page of a marketplace listing (page numbers from 0). */
public record PageView<T>(List<T> items, int page, int size, long total) {
}
