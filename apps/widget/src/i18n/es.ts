/** The widget in US Spanish (usted). The keys are en.ts's; see there. */
import type { Strings } from "./en";

const es = {
  locale: "es-US",
  closed: {
    today: "Cerrado — abrimos hoy, {time}",
    tomorrow: "Cerrado — abrimos mañana, {time}",
    later: "Cerrado — abrimos el {day}, {time}",
    none: "Cerrado por ahora",
    callback: "Cerrado — pida que le llamemos",
  },
  common: {
    close: "Cerrar",
    cancel: "Cancelar",
    hangUp: "Colgar",
    back: "Volver",
    tryAgain: "Intentar de nuevo",
    callNow: "Llamar ahora",
    requestCallback: "Pedir que me llamen",
    verification: "Verificación",
  },
  home: {
    micNote: "Su navegador le pedirá usar el micrófono. Nunca grabamos.",
    talkNow: "Hable con nosotros ahora, desde su navegador.",
    orTalkNow: "O hable con nosotros ahora:",
    nobodyNow: "Nadie puede atender una llamada en este momento.",
    closedThen: "Con gusto atenderemos su llamada entonces.",
    closedNow: "No estamos atendiendo llamadas en este momento.",
    introShortly: "Déjenos su número y le llamaremos en breve.",
    intro: "Déjenos su número y le llamaremos.",
    introWhenOpen: "Déjenos su número y le llamaremos cuando abramos.",
  },
  form: {
    name: "Nombre",
    phone: "Número de teléfono",
    message: "Mensaje",
    optional: "(opcional)",
    sending: "Enviando…",
    preview: "Vista previa: las solicitudes no se envían.",
    nameRequired: "Escriba su nombre.",
    phoneRequired: "Escriba su número de teléfono.",
    phoneInvalid: "Escriba un número de teléfono completo, como (555) 123-4567.",
    captcha: "No pudimos verificar que usted es una persona. Inténtelo de nuevo.",
    offline: "No pudimos enviar su solicitud. Revise su conexión e inténtelo de nuevo.",
    failed: "No pudimos enviar su solicitud. Inténtelo de nuevo en un momento.",
    sent: "Gracias — le llamaremos.",
    nameInvalid: "Revise su nombre.",
    messageInvalid: "Acorte su mensaje o quite los caracteres poco comunes.",
    rateLimited: "Demasiadas solicitudes desde esta página. Espere unos minutos e inténtelo de nuevo.",
    blocked: "En este momento no se aceptan solicitudes desde esta página.",
  },
  permission: {
    live: "Esperando el permiso del micrófono",
    title: "Permita el uso del micrófono",
    allow: "Elija Permitir para iniciar la llamada.",
  },
  connecting: { live: "Conectando", title: "Conectando…" },
  ringing: { live: "Sonando", title: "Sonando…" },
  connected: {
    live: "Conectado",
    title: "Conectado",
    duration: "Duración de la llamada",
    mute: "Silenciar",
    keypad: "Teclado",
  },
  ended: { live: "Llamada terminada", title: "Llamada terminada", again: "Llamar de nuevo" },
  failed: {
    unanswered: "Nadie pudo atender su llamada",
    title: "La llamada no se pudo completar",
    causes: {
      "mic-denied":
        "Su navegador bloqueó el micrófono. Permita el acceso al micrófono para este sitio (en la barra de direcciones o en la configuración del navegador) e inténtelo de nuevo.",
      "no-mic": "No encontramos un micrófono. Conecte uno e inténtelo de nuevo.",
      insecure:
        "Las llamadas necesitan una página segura (https), y esta no lo es. Aún puede pedirnos que le llamemos.",
      offline: "Parece que no tiene conexión. Revise su conexión a internet e inténtelo de nuevo.",
      closed: "Estamos cerrados en este momento, así que la llamada no se puede completar.",
      blocked:
        "En este momento no se aceptan llamadas desde esta página. Aún puede pedirnos que le llamemos.",
      "over-quota": "No podemos atender más llamadas en este momento. Pídanos que le llamemos.",
      "rate-limited": "Demasiados intentos de llamada en poco tiempo. Espere un minuto e inténtelo de nuevo.",
      generic: "No se pudo conectar la llamada. Inténtelo de nuevo en un momento.",
      captcha: "No pudimos verificar esta llamada. Inténtelo de nuevo.",
      "no-agent": "No hay nadie disponible para atender en este momento. Déjenos su número y le llamaremos.",
      "no-answer": "Nadie contestó a tiempo. Déjenos su número y le llamaremos.",
      busy: "No podemos atender su llamada en este momento. Déjenos su número y le llamaremos.",
      unavailable:
        "Esta línea no está recibiendo llamadas desde el navegador en este momento. Aún puede pedirnos que le llamemos.",
      outage:
        "No se pueden conectar llamadas en este momento por un problema de nuestra parte. Inténtelo de nuevo en unos minutos o pídanos que le llamemos.",
    },
  },
} satisfies Strings;

export default es;
