package io.reelvault.config;

import io.quarkus.runtime.annotations.CommandLineArguments;
import jakarta.inject.Singleton;

/**
 * Whether this process serves (started without arguments) or runs one operator command and exits (any
 * argument: {@code bucket setup}, {@code bucket verify}; see {@code io.reelvault.cli.Main}). In command mode
 * the service's own start-up work is skipped: the token verification key is not required
 * ({@link StartupChecks}) and the object store is not opened ({@code ObjectStoreProducer}), so that a command
 * needs only the settings it uses and reports a missing one itself.
 */
@Singleton
public class CommandMode {
    private final boolean command;

    CommandMode(@CommandLineArguments String[] args) {
        this.command = isCommand(args);
    }

    /** True when this process runs a command rather than the service. */
    public boolean active() {
        return command;
    }

    /** The rule itself, for code that runs before CDI (the {@code main} method): any argument means a command. */
    public static boolean isCommand(String[] args) {
        return args != null && args.length > 0;
    }
}
