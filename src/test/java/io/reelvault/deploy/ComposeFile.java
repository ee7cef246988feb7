package io.reelvault.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The part of the Compose specification that {@code docker/docker-compose.yml} uses, read strictly: a key that is not
 * here fails the test, so a misspelling ({@code enviroment:}, which Compose would reject only when run) is caught
 * now. A new key goes here after a look at the specification; {@code docker-compose config -q} checks the whole file
 * where Compose is installed.
 */
record ComposeFile(Map<String, Service> services, Map<String, Volume> volumes) {

    record Service(
            Build build,
            String image,
            List<String> profiles,
            List<String> command,
            List<String> entrypoint,
            List<String> ports,
            Map<String, String> environment,
            List<String> volumes,
            @JsonProperty("depends_on") Map<String, Dependency> dependsOn,
            Healthcheck healthcheck,
            String restart) {}

    record Build(String context, String dockerfile) {}

    record Dependency(String condition) {}

    record Healthcheck(
            List<String> test,
            String interval,
            String timeout,
            Integer retries,
            @JsonProperty("start_period") String startPeriod) {}

    /** A named volume; the file declares them without options. */
    record Volume() {}
}
