package dev.gateway.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.apache.james.lifecycle.api.Startable;
import org.apache.james.utils.ClassName;
import org.apache.james.utils.ExtensionConfiguration;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.webadmin.Routes;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

import spark.Service;

/**
 * Reports the extensions the server loaded: the jars of {@code extensions-jars/} and the Guice modules of
 * {@code extensions.properties}, in the log line {@code Extensions: ...} at start-up (the launcher's banner repeats it)
 * and at WebAdmin's {@code GET /extensions} (docs/extending.md).
 */
final class ExtensionsModule extends AbstractModule {

    private final ExtensionJars jars;

    ExtensionsModule(Path workingDirectory) {
        this.jars = ExtensionJars.scan(workingDirectory);
    }

    @Override
    protected void configure() {
        bind(ExtensionJars.class).toInstance(jars);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(ExtensionsRoutes.class);
    }

    @ProvidesIntoSet
    InitializationOperation reportExtensions(StartupReport report) {
        return InitilizationOperationBuilder.forClass(StartupReport.class).init(report::log);
    }

    /** The start-up log line; a {@link Startable} only because James's initialisation steps are keyed by one. */
    static final class StartupReport implements Startable {
        private final ExtensionJars jars;
        private final ExtensionConfiguration configuration;

        @Inject
        StartupReport(ExtensionJars jars, ExtensionConfiguration configuration) {
            this.jars = jars;
            this.configuration = configuration;
        }

        void log() {
            LoggerFactory.getLogger(ExtensionsModule.class).info("Extensions: jars {}; Guice modules: {}",
                jars.describe(), ExtensionJars.joined(modules(configuration)));
        }
    }

    static List<String> modules(ExtensionConfiguration configuration) {
        return configuration.getAdditionalGuiceModulesForExtensions().stream().map(ClassName::getName).toList();
    }

    /** {@code GET /extensions}: {@code {"folder": ..., "jars": [...], "guiceModules": [...]}}. */
    static final class ExtensionsRoutes implements Routes {

        private final ExtensionJars jars;
        private final ExtensionConfiguration configuration;
        private final ObjectMapper json = new ObjectMapper();

        @Inject
        ExtensionsRoutes(ExtensionJars jars, ExtensionConfiguration configuration) {
            this.jars = jars;
            this.configuration = configuration;
        }

        @Override
        public String getBasePath() {
            return "/extensions";
        }

        @Override
        public void define(Service service) {
            service.get(getBasePath(), (request, response) -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("folder", jars.folder().toString());
                body.put("jars", jars.jars());
                body.put("guiceModules", modules(configuration));
                response.type("application/json");
                return json.writeValueAsString(body);
            });
        }
    }
}
