#pragma once

// Asio types of the data plane, bound to the concrete io_context executor: no any_io_executor
// type erasure on the hot path (see docs/proxy.md and the levers measured in the design notes).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <utility>  // before Asio's awaitable.hpp with Boost 1.74 and GCC 12

namespace huddle::proxy {

namespace asio = boost::asio;
using ErrorCode = boost::system::error_code;
using Executor = asio::io_context::executor_type;
using Tcp = asio::ip::tcp;
using Socket = asio::basic_stream_socket<Tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<Tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
template <typename T>
using Task = asio::awaitable<T, Executor>;
inline constexpr asio::use_awaitable_t<Executor> kUseTask;

// Completion token that stores the error instead of throwing.
inline auto Catch(ErrorCode& ec) { return asio::redirect_error(kUseTask, ec); }

}  // namespace huddle::proxy
