package dev.gateway.configoverlay;

import java.nio.file.Path;

/**
 * A configuration or overlay file that cannot be used: the message names the file and the problem, because it is
 * the line the launcher shows when the start fails.
 */
public final class ConfigurationFileException extends RuntimeException {

    private final Path file;

    public ConfigurationFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ConfigurationFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
