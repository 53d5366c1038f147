package dev.polymux.dispatch.support;

import java.time.Duration;
import java.util.Map;

import dev.polymux.dispatch.config.DispatchConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;

/** The real {@link DispatchConfig} mapping with its real defaults, plus the settings a unit test names. */
public final class DispatchSettings {

    private DispatchSettings() {
    }

    public static DispatchConfig with(Map<String, String> settings) {
        // Quarkus's own Duration converter: the defaults are written "200ms", "5m" as in application.properties.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(DispatchConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new MapBackedConfigSource("test settings", settings) {
                }).build();
        return config.getConfigMapping(DispatchConfig.class);
    }
}
