#pragma once

namespace huddle::taskd {

// `huddle tasks waves`: runs Echo and Finn over loopback HTTP between OverlayNodes in one
// process on generated graphs and checks message counts, trees and decisions.
int RunWavesCommand(int argc, char** argv);

}  // namespace huddle::taskd
