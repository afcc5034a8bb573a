package io.rveth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "rveth", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = "Declarative routed-veth networking: a YAML manifest in, the minimal ip changes out.",
        subcommands = {ApplyCommand.class, PlanCommand.class, ValidateCommand.class, ShowCommand.class,
                CommandLine.HelpCommand.class},
        footer = ExitCodes.HELP)
public final class RvethCommand {
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = RvethCommand.class.getResourceAsStream("/io/rveth/version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"rveth " + p.getProperty("version", "unknown")};
        }
    }
}
