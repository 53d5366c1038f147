package dev.polymux.console.marketplace.client;

import java.util.List;

/** The registry's PageView: one page of a listing, pages from 0. */
public record Page<T>(List<T> items, int page, int size, long total) {
}
