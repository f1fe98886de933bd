# The layering table: the one list of which layers of ours each library may use. The build
# (cmake/RrtcTargets.cmake) and the source check (scripts/check_layers.py, CTest `layering`)
# both read this file; nothing else repeats it.
#
#   rrtc_layer(<library> [FOLDER <dir>] [PUBLIC <library>...] [PRIVATE <library>...])
#
# <library> is built as rrtc_<library> (alias rrtc::<library>) from src/<dir>; <dir> is the
# library's name unless FOLDER says otherwise (signaling holds two libraries). It may use the
# libraries it lists, no others, and only libraries listed above it, so arrows point down only.
#   PUBLIC   its headers include these: whoever links it sees them too (CMake PUBLIC).
#   PRIVATE  only its .cpp files include these: whoever links it does not see them (CMake
#            PRIVATE; static libraries still link them).
# Third-party libraries are not listed here; rrtc_library() passes them on as PUBLIC.
# `time` is a vocabulary type (media time as a parameter), so it is PUBLIC wherever it is allowed.
#
# The parser in scripts/check_layers.py reads exactly this call form: one rrtc_layer(...) per
# entry, plain words only (no variables, no generator expressions), `#` comments.

rrtc_layer(log)
rrtc_layer(time)

# Pure layers: values in, values out. rtp, rtcp and sdp depend on no other layer of ours but
# the media time type; bwe (send-side bandwidth estimation) reads rtcp's transport-cc feedback.
rrtc_layer(sdp)
rrtc_layer(rtp            PUBLIC time)
rrtc_layer(rtcp           PUBLIC time)
rrtc_layer(bwe            PUBLIC rtcp time)

# Sans-IO security layers and the OS plumbing of the media workers.
rrtc_layer(srtp)
rrtc_layer(io             PUBLIC time                               PRIVATE log)
rrtc_layer(dtls           PUBLIC srtp time                          PRIVATE log)
# ice runs on a worker's io::GlibLoop (its consent timer is the loop's, its media socket in the
# loop's epoll set), so the loop is in its interface.
rrtc_layer(ice            PUBLIC io time                            PRIVATE log)
rrtc_layer(sctp           PUBLIC time                               PRIVATE log)

# The Peer: the only user of ice, dtls, srtp and sctp.
rrtc_layer(transport      PUBLIC ice dtls srtp io sdp time          PRIVATE sctp rtp log)

# Pure room model and forwarding.
rrtc_layer(room           PUBLIC rtp sdp time                       PRIVATE rtcp)

# The media engine: Peers from a transport::PeerFactory, never ice, sctp or dtls itself.
rrtc_layer(engine         PUBLIC bwe room transport io sdp time     PRIVATE rtp rtcp log)

# Clusters (with redis_url, docs/cluster.md): the pure core (Redis URLs, the relay envelope) and
# the Redis client, node directory, room placement and bus on the signaling thread's io_context.
rrtc_layer(cluster_core   FOLDER cluster)
rrtc_layer(cluster        PUBLIC cluster_core time                  PRIVATE log)

# Signaling: the pure core (messages, tokens, metrics, static files) and the Beast server.
rrtc_layer(signaling_core FOLDER signaling PUBLIC room time         PRIVATE log)
rrtc_layer(signaling      PUBLIC signaling_core room time cluster cluster_core  PRIVATE log)

# The application: configuration, logging and the rrtc executable.
rrtc_layer(app            PUBLIC signaling_core signaling engine time  PRIVATE room log cluster_core cluster)
