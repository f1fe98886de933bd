# The media engine: MediaBackend over transport::Peer on GLib media workers.
target_sources(rrtc_room PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/engine.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/media_counters.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/media_participant.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/media_room.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/worker.cpp")
target_link_libraries(rrtc_room PUBLIC
  rrtc::transport rrtc::sctp rrtc::sdp rrtc::ice rrtc::dtls rrtc::rtp rrtc::rtcp rrtc::log)
