#pragma once

namespace huddle::engine {

// `huddle engine -c FILE`: runs the engine alone (HTTP API, ingest, scraping, storage,
// actuators). argv[0] is the subcommand. Returns the process exit code.
int RunEngineCommand(int argc, char** argv);

// `huddle engine-scenarios [--format markdown|json] [--seeds N] [--scenario NAME]...`: runs the
// scenario suite of engine-anchors section 8 and prints every criterion. Exit code 0 when every
// scenario passes, 1 otherwise, 2 on bad usage.
int RunEngineScenariosCommand(int argc, char** argv);

}  // namespace huddle::engine
