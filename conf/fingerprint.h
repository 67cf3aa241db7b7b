// A definition's fingerprint, for reload (app/config_reload.h): the canonical TOML of its table
// (keys sorted by toml++'s ordered tables, whitespace, comments and key order of the file
// dropped) followed by the bytes of every file it names (a CA bundle, a client certificate and
// key). Two loads of a cluster with equal fingerprints define the same cluster, so a reload
// keeps its state and pool; any other difference, a file's content included, is a change.
// Internal to conf/.
#pragma once

#include <toml++/toml.h>

#include <initializer_list>
#include <string>

namespace ringress::conf {

std::string definition_fingerprint(const toml::node& node,
                                   std::initializer_list<const std::string*> files);

}  // namespace ringress::conf
