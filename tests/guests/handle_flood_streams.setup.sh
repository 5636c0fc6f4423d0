# handle_flood_streams: the same grant as handle_flood.
source "$(dirname "$0")/handle_flood.setup.sh"
