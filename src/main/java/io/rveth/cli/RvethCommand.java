package io.rveth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;
import picocli.CommandLine.Command;

@Command(name = "rveth", mixinStandardHelpOptions = true, versionProvider = RvethCommand.Version.class,
        description = "Declarative routed-veth networking: a YAML manifest in, the minimal ip changes out.",
        subcommands = {ApplyCommand.class, PlanCommand.class, ValidateCommand.class, ShowCommand.class, SnapshotCommand.class, ExportCommand.class, BirdConfigCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class, ManPageGenerator.class},
        footer = ExitCodes.HELP)
public final class RvethCommand {
    /** This build's version, from the jar's resources. */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = RvethCommand.class.getResourceAsStream("/io/rveth/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // unknown version
        }
        return p.getProperty("version", "unknown");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rveth " + version()};
        }
    }
}
